package tape

import (
	"bytes"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/target"
)

type clock struct {
	target.UARTLog
	target.LEDLog
}

func TestDeviceLogRecordsTheTargetsStampsOnceEach(t *testing.T) {
	var c clock
	us := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Microsecond
		}
		return out
	}
	c.UARTLog.Add(target.RX, []byte{1, 2}, us(10, 20))
	c.UARTLog.Add(target.TX, []byte{1}, us(130))
	c.LEDLog.Add(gpio.High, us(500)[0])
	r := NewRecorder(nil)
	log := DeviceLog{Clock: &c}
	log.Record(r, t0)
	c.UARTLog.Add(target.TX, []byte{2}, us(140))
	log.Record(r, t0.Add(time.Second))

	var out bytes.Buffer
	w, err := NewWriter(&out, Header{Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Take()
	for _, e := range got {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	back, err := Read(&out)
	if err != nil {
		t.Fatalf("device-stamped events do not read back: %v", err)
	}
	if len(back.Events) != 4 {
		t.Fatalf("recorded %d events, want 4 (tx 2 bytes, rx 1, the edge, rx 1 more):\n%s", len(back.Events), Text(back.Events))
	}
	first := back.Events[0]
	if first.Dir != Tx || first.Stamp != Device || !bytes.Equal(first.Bytes, []byte{1, 2}) || first.DeviceNs[1] != 20000 {
		t.Errorf("bytes that reached the device: %+v, want the host's tx with their device times", first)
	}
	if e := back.Events[2]; e.Kind != KindEdge || e.DeviceNs[0] != 500000 || !*e.Level {
		t.Errorf("edge = %+v", e)
	}
	if e := back.Events[3]; e.Dir != Rx || e.Bytes[0] != 2 || !e.At.Equal(t0.Add(time.Second)) {
		t.Errorf("the second call recorded %+v, want only the byte since the first", e)
	}
}
