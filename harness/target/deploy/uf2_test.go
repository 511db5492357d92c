package deploy

import (
	"github.com/picohil/picohil/fixtures/pty/ptytest"

	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeUF2 builds an n-block RP2040 image.
func makeUF2(n int) []byte {
	var out []byte
	for i := range n {
		b := make([]byte, uf2BlockSize)
		for off, v := range map[int]uint32{
			0: uf2MagicStart0, 4: uf2MagicStart1, 8: uf2FlagFamily, 12: 0x10000000 + uint32(i)*256,
			16: 256, 20: uint32(i), 24: uint32(n), 28: rp2040Family, 508: uf2MagicEnd,
		} {
			binary.LittleEndian.PutUint32(b[off:], v)
		}
		copy(b[32:], bytes.Repeat([]byte{byte(i)}, 256))
		out = append(out, b...)
	}
	return out
}

func TestValidateUF2(t *testing.T) {
	if err := ValidateUF2(makeUF2(3)); err != nil {
		t.Fatal(err)
	}
	put := func(data []byte, off int, v uint32) []byte {
		binary.LittleEndian.PutUint32(data[off:], v)
		return data
	}
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"empty":       {nil, "whole number"},
		"odd size":    {makeUF2(2)[:700], "whole number"},
		"bad magic":   {put(makeUF2(2), 512+4, 0), "block 1: no UF2 magic"},
		"bad end":     {put(makeUF2(2), 508, 0), "block 0: no UF2 magic"},
		"truncated":   {makeUF2(3)[:1024], "numbered 0 of 3"},
		"rp2350":      {put(makeUF2(1), 28, 0xe48bff59), "family 0xe48bff59"},
		"big payload": {put(makeUF2(1), 16, 477), "payload of 477"},
		"text file":   {bytes.Repeat([]byte("x"), 512), "no UF2 magic"},
	} {
		err := ValidateUF2(c.data)
		if KindOf(err) != BadUF2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if err := ValidateUF2(put(makeUF2(1), 8, 0)); err != nil {
		t.Errorf("no family flag: %v", err)
	}
}

func TestCopyUF2WaitsForTheDrive(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	src := filepath.Join(t.TempDir(), "firmware.uf2")
	if err := os.WriteFile(src, makeUF2(4), 0o644); err != nil {
		t.Fatal(err)
	}
	drive := filepath.Join(root, "pi", "RPI-RP2")
	go func() {
		time.Sleep(300 * time.Millisecond)
		os.MkdirAll(drive, 0o755)
		os.WriteFile(filepath.Join(drive, infoFile), []byte("UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n"), 0o644)
	}()
	got, err := CopyUF2(testCtx(t, 3*time.Second), src, []string{filepath.Join(root, "*", "RPI-RP2")})
	if err != nil || got != drive {
		t.Fatalf("drive %q err %v", got, err)
	}
	copied, err := os.ReadFile(filepath.Join(drive, "firmware.uf2"))
	if err != nil || !bytes.Equal(copied, makeUF2(4)) {
		t.Fatalf("copied %d bytes, %v", len(copied), err)
	}
}

func TestCopyUF2Refuses(t *testing.T) {
	t.Parallel()
	drive := t.TempDir()
	if err := os.WriteFile(filepath.Join(drive, infoFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.uf2")
	if err := os.WriteFile(bad, []byte("not a uf2"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := CopyUF2(testCtx(t, time.Second), bad, []string{drive}); KindOf(err) != BadUF2 {
		t.Fatalf("bad image: %v", err)
	}
	if entries, _ := os.ReadDir(drive); len(entries) != 1 {
		t.Fatalf("drive holds %d files after a refused copy", len(entries))
	}
	good := filepath.Join(t.TempDir(), "good.uf2")
	if err := os.WriteFile(good, makeUF2(1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := CopyUF2(testCtx(t, 300*time.Millisecond), good, []string{t.TempDir()})
	if KindOf(err) != NoDrive || !strings.Contains(err.Error(), "BOOTSEL") {
		t.Fatalf("no drive: %v", err)
	}
}

func TestWaitForPort(t *testing.T) {
	t.Parallel()
	if err := WaitForPort(testCtx(t, time.Second), ptytest.Open(t).Path); err != nil {
		t.Fatal(err)
	}
	err := WaitForPort(testCtx(t, 300*time.Millisecond), filepath.Join(t.TempDir(), "ttyACM0"))
	if KindOf(err) != NoPort || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing port: %v", err)
	}
}

func TestEncodeUF2RoundTrips(t *testing.T) {
	image := make([]byte, 700)
	for i := range image {
		image[i] = byte(i)
	}
	data := EncodeUF2(image)
	if err := ValidateUF2(data); err != nil {
		t.Fatal(err)
	}
	if len(data) != 3*uf2BlockSize {
		t.Fatalf("%d bytes, want 3 blocks", len(data))
	}
	if got := data[2*uf2BlockSize+32 : 2*uf2BlockSize+32+188]; !bytes.Equal(got, image[512:]) {
		t.Fatal("the last block's payload differs from the image's tail")
	}
}

// CRC-32/MPEG-2's catalogue check value: the CRC of "123456789".
func TestBoot2CRCIsCRC32MPEG2(t *testing.T) {
	if got := crc32MPEG2([]byte("123456789")); got != 0x0376e6e7 {
		t.Fatalf("crc32MPEG2(\"123456789\") = %08x, want 0376e6e7", got)
	}
}
