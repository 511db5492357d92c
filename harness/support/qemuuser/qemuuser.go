// Package qemuuser lets a unit test skip, with the reason, what user-mode
// QEMU cannot emulate when the arm lanes run the tests for linux/arm64 and
// linux/arm under it (make unit-arm64 unit-arm set PICOHIL_QEMU_USER to the
// emulator's name). Outside those lanes Skip does nothing.
package qemuuser

import (
	"os"
	"testing"
)

// Variable names the emulator the tests run under.
const Variable = "PICOHIL_QEMU_USER"

// Skip skips t under user-mode QEMU, saying why.
func Skip(t testing.TB, why string) {
	t.Helper()
	if emu := os.Getenv(Variable); emu != "" {
		t.Skipf("not under %s: %s", emu, why)
	}
}
