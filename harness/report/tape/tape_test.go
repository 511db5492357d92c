package tape

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)

// sample records a spec's worth of traffic and returns the tape's path.
func sample(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tape.jsonl")
	w, err := Create(path, Header{Started: t0, Target: "virtual", Settings: Settings{Baud: 115200}, Versions: Versions{Harness: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRecorder(nil)
	r.Line(Tx, t0, "VERSION") // before Store: taken, not stored
	r.Take()
	r.Store(w)
	r.Add(Event{Kind: KindSpec, At: t0, Text: "Echo round-trips"})
	// Added out of order, as goroutines do: Take sorts by time.
	r.Data(Rx, t0.Add(2*time.Millisecond), []byte{0xa5})
	r.Data(Tx, t0.Add(time.Millisecond), []byte{0xa5})
	r.Edge(t0.Add(3*time.Millisecond), true, Host)
	m := stats.Measure("echo.rtt.1B", "us", 1000, stats.AtMost(5000))
	r.Add(Event{Kind: KindVerdict, At: t0.Add(4 * time.Millisecond), Measurement: &m})
	r.Add(Event{Kind: KindEnd, At: t0.Add(5 * time.Millisecond), Text: "passed"})
	if got := r.Take(); len(got) != 6 || got[1].Dir != Tx {
		t.Fatalf("Take = %v, want 6 events in time order", got)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRecordedTapeReadsBack(t *testing.T) {
	tp, err := Open(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	if tp.Header.Format != Format || tp.Header.Settings.Baud != 115200 {
		t.Errorf("header = %+v", tp.Header)
	}
	specs := tp.Specs()
	if len(specs) != 1 || specs[0].Name != "Echo round-trips" || specs[0].State != "passed" || len(specs[0].Events) != 4 {
		t.Fatalf("Specs = %+v", specs)
	}
	ev := specs[0].Events
	if !bytes.Equal(ev[0].Bytes, []byte{0xa5}) || ev[0].Stamp != Host || !ev[0].At.Equal(t0.Add(time.Millisecond)) {
		t.Errorf("first data event = %+v", ev[0])
	}
	if ev[2].Level == nil || !*ev[2].Level {
		t.Errorf("edge = %+v, want high", ev[2])
	}
	if ev[3].Measurement == nil || ev[3].Measurement.Name != "echo.rtt.1B" || !ev[3].Measurement.Pass {
		t.Errorf("verdict = %+v", ev[3])
	}
}

func TestReadRefusesWhatIsNotATape(t *testing.T) {
	header := `{"k":"header","at":"2026-01-02T03:04:05Z","header":{"format":"picohil.tape/v1"}}` + "\n"
	for name, c := range map[string]struct{ in, want string }{
		"empty":            {"", "empty"},
		"not json":         {"hello\n", "line 1"},
		"no header":        {`{"k":"data","at":"2026-01-02T03:04:05Z","dir":"tx","stamp":"host","hex":"00"}` + "\n", "line 1 is not its header"},
		"other format":     {strings.Replace(header, "v1", "v9", 1), "line 1 is not its header"},
		"bad hex":          {header + `{"k":"data","at":"2026-01-02T03:04:05Z","dir":"tx","stamp":"host","hex":"zz"}` + "\n", "line 2"},
		"no direction":     {header + `{"k":"data","at":"2026-01-02T03:04:05Z","stamp":"host","hex":"00"}` + "\n", "direction"},
		"no stamp":         {header + `{"k":"data","at":"2026-01-02T03:04:05Z","dir":"rx","hex":"00"}` + "\n", "stamped"},
		"no time":          {header + `{"k":"line","dir":"rx","text":"OK"}` + "\n", "without a time"},
		"edge level":       {header + `{"k":"edge","at":"2026-01-02T03:04:05Z","stamp":"host"}` + "\n", "level"},
		"unknown kind":     {header + `{"k":"smoke","at":"2026-01-02T03:04:05Z"}` + "\n", "unknown kind"},
		"second header":    {header + header, "second header"},
		"capture order":    {header + `{"k":"capture","at":"2026-01-02T03:04:05Z","until":"2026-01-02T03:04:04Z"}` + "\n", "ends before"},
		"nameless spec":    {header + `{"k":"spec","at":"2026-01-02T03:04:05Z"}` + "\n", "without text"},
		"verdict":          {header + `{"k":"verdict","at":"2026-01-02T03:04:05Z"}` + "\n", "named measurement"},
		"device, no times": {header + `{"k":"data","at":"2026-01-02T03:04:05Z","dir":"rx","stamp":"device","hex":"0001","device_ns":[5]}` + "\n", "1 device times, want 2"},
		"host, dev times":  {header + `{"k":"edge","at":"2026-01-02T03:04:05Z","high":true,"stamp":"host","device_ns":[5]}` + "\n", "stamped host with device times"},
		"over-long line":   {header + strings.Repeat("x", maxLine+1) + "\n", "after line 1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(strings.NewReader(c.in))
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Read = %v, want ErrFormat naming %q", err, c.want)
			}
		})
	}
}

type lines struct {
	in   []string
	sent bytes.Buffer
}

func (l *lines) Write(p []byte) error { l.sent.Write(p); return nil }
func (l *lines) ReadLine(ctx context.Context) (string, error) {
	if len(l.in) == 0 {
		return "", context.DeadlineExceeded
	}
	s := l.in[0]
	l.in = l.in[1:]
	return s, nil
}

func TestTapRecordsEveryLineBothWays(t *testing.T) {
	r := NewRecorder(nil)
	l := &lines{in: []string{"MicroPython v1.24.1 banner", "OK VERSION fw 1.0.0"}}
	tap := Tap{Line: l, Rec: r}
	if err := tap.Write([]byte("VERSION\n")); err != nil {
		t.Fatal(err)
	}
	for range 3 { // the third read times out and records nothing
		tap.ReadLine(context.Background())
	}
	got := Text(Of(r.Take(), KindLine))
	for _, want := range []string{"> VERSION\n", "< MicroPython v1.24.1 banner\n", "< OK VERSION fw 1.0.0\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("recorded lines\n%s\nlack %q", got, want)
		}
	}
	if strings.Count(got, "\n") != 3 || l.sent.String() != "VERSION\n" {
		t.Errorf("recorded %q, sent %q", got, l.sent.String())
	}
}

func TestAroundKeepsTheBytesNearestTheFailure(t *testing.T) {
	var ev []Event
	for i := range 10 {
		ev = append(ev, Event{Kind: KindData, At: t0.Add(time.Duration(i) * time.Millisecond), Stamp: Host, Dir: Tx, Bytes: []byte{byte(i), byte(i)}})
	}
	// The device's own stamps are taken later, on another clock: never "about" a host time.
	ev = append(ev, Event{Kind: KindData, At: t0.Add(5 * time.Millisecond), Stamp: Device, Dir: Rx, Bytes: []byte{0xff}, DeviceNs: []int64{1}})
	got := Around(ev, t0.Add(5*time.Millisecond), 4, 2)
	var at []int
	for _, e := range got {
		at = append(at, int(e.Bytes[0]))
	}
	if want := []int{4, 5, 6}; !reflect.DeepEqual(at, want) {
		t.Errorf("Around kept events %v, want %v", at, want)
	}
}

func FuzzRead(f *testing.F) {
	b, err := os.ReadFile(sample(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"k":"header","at":"2026-01-02T03:04:05Z","header":{"format":"picohil.tape/v1"}}` + "\n{\"k\":\"edge\"}\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		tp, err := Read(bytes.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("Read error %v does not match ErrFormat", err)
			}
			return
		}
		// What reads back, stores and reads back the same.
		var out bytes.Buffer
		w, err := NewWriter(&out, tp.Header)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tp.Events {
			if err := w.Write(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := Read(&out)
		if err != nil {
			t.Fatalf("a tape that read stores as one that does not: %v", err)
		}
		if len(again.Events) != len(tp.Events) || len(again.Specs()) != len(tp.Specs()) {
			t.Fatalf("read back %d events, %d specs; stored %d, %d", len(again.Events), len(again.Specs()), len(tp.Events), len(tp.Specs()))
		}
	})
}
