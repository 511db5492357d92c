package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/gpio/edge"
)

// truthFile returns the LED's true transitions as a bench instrument logs
// them in path (HIL_LED_TRUTH), read when the blink specs ask: one
// "<ns since the epoch> <0|1> [<ns either side>]" line per change, the third
// field when the instrument knows the change only to within that interval. A file that cannot be read
// yields no edges, so the timestamp error has no samples and fails; the
// reason goes to stderr.
func truthFile(path string) func() []edge.Edge {
	return func() []edge.Edge {
		edges, err := readTruth(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: HIL_LED_TRUTH: %v (hint: the instrument logging the LED writes \"<ns since the epoch> <0|1>\" lines)\n", err)
			return nil
		}
		return edges
	}
}

func readTruth(path string) ([]edge.Edge, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var edges []edge.Edge
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		var t, within int64
		var err error
		if len(f) == 2 || len(f) == 3 {
			t, err = strconv.ParseInt(f[0], 10, 64)
		}
		if err == nil && len(f) == 3 {
			within, err = strconv.ParseInt(f[2], 10, 64)
		}
		if len(f) < 2 || len(f) > 3 || err != nil || within < 0 || (f[1] != "0" && f[1] != "1") {
			return nil, fmt.Errorf("%s line %d: %q is not \"<ns since the epoch> <0|1> [<ns either side>]\"", path, n, sc.Text())
		}
		edges = append(edges, edge.Edge{Level: gpio.Level(f[1] == "1"), At: time.Unix(0, t), Within: time.Duration(within)})
	}
	return edges, sc.Err()
}
