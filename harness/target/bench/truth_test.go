package bench

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
)

func TestTruthFileIsReadWhenAsked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "truth")
	truth := truthFile(path)
	if got := truth(); got != nil {
		t.Fatalf("before the file exists: %v, want no edges", got)
	}
	if err := os.WriteFile(path, []byte("1700000000000000000 1\n1700000000100000000 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := truth()
	if len(got) != 2 || got[0].Level != gpio.High || got[1].Level != gpio.Low || got[1].At.Sub(got[0].At) != 100*time.Millisecond {
		t.Fatalf("edges %v, want High then Low 100 ms later", got)
	}
}

func TestTruthFileRejectsAMalformedLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "truth")
	if err := os.WriteFile(path, []byte("1700000000000000000 1\n17 high\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readTruth(path); err == nil {
		t.Fatal("a level that is not 0 or 1 was accepted")
	}
}

func TestTruthFileCarriesTheInstrumentsUncertainty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "truth")
	if err := os.WriteFile(path, []byte("1700000000000000000 1 250000\n1700000000100000000 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readTruth(path)
	if err != nil || len(got) != 2 || got[0].Within != 250*time.Microsecond || got[1].Within != 0 {
		t.Fatalf("edges %v, %v: want 250 us then an exact edge", got, err)
	}
	if err := os.WriteFile(path, []byte("1700000000000000000 1 -5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readTruth(path); err == nil {
		t.Fatal("a negative uncertainty was accepted")
	}
}
