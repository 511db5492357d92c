package tape

import (
	"context"
	"strings"
	"time"
)

// Line is a control channel: one command line out, one line back.
type Line interface {
	Write(p []byte) error
	ReadLine(ctx context.Context) (string, error)
}

// Tap is a Line whose traffic the recorder is told of: every line sent,
// every line read.
type Tap struct {
	Line Line
	Rec  *Recorder
}

// Write sends p and records its lines.
func (t Tap) Write(p []byte) error {
	at := time.Now()
	err := t.Line.Write(p)
	for l := range strings.Lines(string(p)) {
		t.Rec.Line(Tx, at, strings.TrimRight(l, "\r\n"))
	}
	return err
}

// ReadLine reads one line and records it.
func (t Tap) ReadLine(ctx context.Context) (string, error) {
	s, err := t.Line.ReadLine(ctx)
	if err == nil {
		t.Rec.Line(Rx, time.Now(), s)
	}
	return s, err
}
