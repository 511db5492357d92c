package specs

import . "github.com/onsi/ginkgo/v2"

// Labels, declared once. Filter with `make hil LABELS=blink`.
var (
	labelEcho      = Label("echo")
	labelBaud      = Label("baud")
	labelBlink     = Label("blink")
	labelTiming    = Label("timing")
	labelIntegrity = Label("integrity")
	labelControl   = Label("control")
	labelReset     = Label("reset")
)
