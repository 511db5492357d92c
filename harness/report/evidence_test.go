package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/tape"
)

func TestHTMLFoldsEachSpecsConsoleAndDataUnderIt(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	r := sample()
	r.Specs[len(r.Specs)-2].Console = []tape.Event{
		{Kind: tape.KindLine, At: at, Dir: tape.Tx, Text: "BLINK 200"},
		{Kind: tape.KindLine, At: at.Add(time.Millisecond), Dir: tape.Rx, Text: "Traceback <most recent call last>:"},
	}
	r.Specs[len(r.Specs)-2].Data = []tape.Event{{Kind: tape.KindData, At: at, Stamp: tape.Host, Dir: tape.Rx, Bytes: []byte{0xde, 0xad}}}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{
		`<details class="console"><summary>control channel: 2 lines`,
		"03:04:05.123456 &gt; BLINK 200\n03:04:05.124456 &lt; Traceback &lt;most recent call last&gt;:",
		`<details class="data"><summary>data line about the failure: 1 reads and writes`,
		"03:04:05.123456 &lt;    2 B  de ad",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if n := strings.Count(html, "<details"); n != 2 {
		t.Errorf("%d folded sections, want 2: specs without lines get none", n)
	}
}
