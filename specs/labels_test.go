package specs

import . "github.com/onsi/ginkgo/v2"

// Labels, declared once. Filter with `make hil LABELS=blink`.
var (
	labelEcho      = label("echo")
	labelBaud      = label("baud")
	labelBlink     = label("blink")
	labelTiming    = label("timing")
	labelIntegrity = label("integrity")
	labelControl   = label("control")
	labelReset     = label("reset")
	labelScenario  = label("scenario")
	labelPower     = label("power")
)

// labelNames are the labels declared above, for the filters' checks and
// hints.
var labelNames []string

func label(name string) Labels {
	labelNames = append(labelNames, name)
	return Label(name)
}
