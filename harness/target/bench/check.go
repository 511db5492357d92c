package bench

import (
	"errors"
	"regexp"

	"github.com/picohil/picohil/harness/farm/power"
	"github.com/picohil/picohil/harness/serial/discover"
)

// pinName is the shape of a periph GPIO name on a Pi: BCM numbering
// (GPIO17) or header position (P1_11).
var pinName = regexp.MustCompile(`^(GPIO[0-9]{1,3}|P[0-9]{1,2}_[0-9]{1,2})$`)

// version is the shape of an expected firmware version: a semver, or the
// name and semver VERSION answers with ("picohil 1.2.0").
var version = regexp.MustCompile(`^([0-9A-Za-z_.-]+ )?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$`)

// checkHardware validates the pins, the control channel's USB match and
// the expected version, one error per mistake, and fills ControlMatch.
func (c *Config) checkHardware(s settings) []error {
	var errs []error
	pins := map[string]string{} // pin name -> setting that uses it
	for _, p := range []struct{ name, value string }{
		{"HIL_LED_PIN", c.LEDPin}, {"HIL_RESET_PIN", c.ResetPin}, {"HIL_JUMPER_PIN", c.JumperPin},
	} {
		switch {
		case p.value == "":
		case !pinName.MatchString(p.value):
			errs = append(errs, &ConfigError{s.from(p.name), p.value, "not a periph pin name", "use BCM names such as GPIO17, or header positions such as P1_11"})
		case pins[p.value] != "":
			errs = append(errs, &ConfigError{s.from(p.name), p.value, "pin already used by " + pins[p.value], "each role needs its own GPIO: see the pin table in README.md"})
		default:
			pins[p.value] = s.from(p.name)
		}
	}
	id, serial := s.values["HIL_CONTROL_USB_ID"], s.values["HIL_CONTROL_USB_SERIAL"]
	if id != "" || serial != "" {
		m := discover.Match{Serial: serial}
		if id != "" {
			parsed, err := discover.ParseUSBID(id)
			if err != nil {
				errs = append(errs, &ConfigError{s.from("HIL_CONTROL_USB_ID"), id, "not a USB id of four hex digits each", "write VID:PID or VID, such as " + discover.PicoVID + ":0005; `hil detect` lists the ids"})
			}
			m.VID, m.PID = parsed.VID, parsed.PID
		}
		c.ControlMatch = m
		if c.Control != "" {
			errs = append(errs, &ConfigError{s.from("HIL_CONTROL"), c.Control, "both a control port and a USB match for it are given", "keep one: the port path, or the USB id and serial number to find it"})
		}
	}
	if c.ExpectVersion != "" && !ValidVersion(c.ExpectVersion) {
		errs = append(errs, &ConfigError{s.from("HIL_EXPECT_VERSION"), c.ExpectVersion, "not a semantic version", "give the firmware's version as VERSION reports it, such as 1.2.0 or picohil 1.2.0"})
	}
	if v := s.values["HIL_POWER"]; v != "" {
		sp, err := power.Parse(v)
		var se *power.SpecError
		switch {
		case errors.As(err, &se):
			errs = append(errs, &ConfigError{s.from("HIL_POWER"), v, se.Problem, "write " + power.Hint})
		case sp.Disable != "" && !exists(sp.Disable):
			errs = append(errs, &ConfigError{s.from("HIL_POWER"), v, "no such port attribute", "the port's disable file is under its hub's interface: ls /sys/bus/usb/devices/*/*-port*/disable"})
		}
		c.Power = sp
	}
	return errs
}

// ValidVersion reports whether s has the shape of a firmware version as
// VERSION reports it: a semver, or name and semver.
func ValidVersion(s string) bool { return version.MatchString(s) }
