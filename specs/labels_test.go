package specs

import "github.com/picohil/picohil/harness/hil"

// Labels, declared once. Filter with `make hil LABELS=blink`.
var (
	labelEcho      = hil.Label("echo")
	labelBaud      = hil.Label("baud")
	labelBlink     = hil.Label("blink")
	labelTiming    = hil.Label("timing")
	labelIntegrity = hil.Label("integrity")
	labelControl   = hil.Label("control")
	labelReset     = hil.Label("reset")
	labelScenario  = hil.Label("scenario")
	labelPower     = hil.Label("power")
)
