package discover

import (
	"os"
	"path/filepath"
	"testing"

	"go.bug.st/serial/enumerator"
)

// fakeSysfs builds the sysfs shapes of a USB serial converter (ttyUSB0),
// a CDC ACM Pico (ttyACM0), an 8250 port (ttyS1) and a virtual tty.
func fakeSysfs(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	mk := func(p string) string {
		p = filepath.Join(root, p)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	link := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	write := func(dir string, kv map[string]string) {
		for k, v := range kv {
			if err := os.WriteFile(filepath.Join(dir, k), []byte(v+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, b := range []string{"bus/usb", "bus/usb-serial", "bus/platform", "class/tty/ttyUSB0", "class/tty/ttyACM0", "class/tty/ttyS1", "class/tty/tty0"} {
		mk(b)
	}
	ftdi := mk("devices/usb1/1-1")
	write(ftdi, map[string]string{"idVendor": "0403", "idProduct": "6001", "serial": "PICOHIL-VM", "product": "QEMU USB SERIAL"})
	port := mk("devices/usb1/1-1/1-1:1.0/ttyUSB0")
	link(filepath.Join(root, "bus/usb-serial"), "devices/usb1/1-1/1-1:1.0/ttyUSB0/subsystem")
	link(port, "class/tty/ttyUSB0/device")
	pico := mk("devices/usb1/1-2")
	write(pico, map[string]string{"idVendor": "2e8a", "idProduct": "0005", "serial": "E6614C311B8D5B2C"})
	acm := mk("devices/usb1/1-2/1-2:1.0")
	link(filepath.Join(root, "bus/usb"), "devices/usb1/1-2/1-2:1.0/subsystem")
	link(acm, "class/tty/ttyACM0/device")
	uart := mk("devices/platform/serial8250")
	link(filepath.Join(root, "bus/platform"), "devices/platform/serial8250/subsystem")
	link(uart, "class/tty/ttyS1/device")
	return filepath.Join(root, "class/tty")
}

func TestUSBPortsReadSysfsOnly(t *testing.T) {
	ports, err := usbPorts(fakeSysfs(t))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range ports {
		got[p.Name] = p.VID + ":" + p.PID + " " + p.SerialNumber
	}
	want := map[string]string{"/dev/ttyACM0": "2e8a:0005 E6614C311B8D5B2C", "/dev/ttyUSB0": "0403:6001 PICOHIL-VM"}
	if len(got) != len(want) {
		t.Fatalf("ports %v, want %v", got, want)
	}
	for name, ids := range want {
		if got[name] != ids {
			t.Errorf("%s: %q, want %q", name, got[name], ids)
		}
	}
	m, err := ParseUSBID("0403:6001")
	if err != nil {
		t.Fatal(err)
	}
	m.Serial = "PICOHIL-VM"
	path, err := Lister(func() ([]*enumerator.PortDetails, error) { return ports, nil }).find(m)
	if err != nil || path != "/dev/ttyUSB0" {
		t.Fatalf("find = %q, %v", path, err)
	}
}
