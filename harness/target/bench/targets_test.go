package bench

import (
	"github.com/picohil/picohil/fixtures/micropython"
	"github.com/picohil/picohil/fixtures/virtual"
)

// The fixtures register themselves; these tests link both, as the suite does.
const (
	Virtual     = virtual.Name
	MicroPython = micropython.Name
)
