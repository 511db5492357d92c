package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/edge"
)

// truthFile returns the LED's true transitions as a bench instrument logs
// them in path (HIL_LED_TRUTH), read when the blink specs ask: one
// "<ns since the epoch> <0|1>" line per change. A file that cannot be read
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
		ns, level, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		t, err := strconv.ParseInt(ns, 10, 64)
		if !ok || err != nil || (level != "0" && level != "1") {
			return nil, fmt.Errorf("%s line %d: %q is not \"<ns since the epoch> <0|1>\"", path, n, sc.Text())
		}
		edges = append(edges, edge.Edge{Level: gpio.Level(level == "1"), At: time.Unix(0, t)})
	}
	return edges, sc.Err()
}
