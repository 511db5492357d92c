package deploy

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
)

// UF2 block layout (little-endian words).
const (
	uf2BlockSize  = 512
	uf2MaxPayload = 476
)

// UF2 header words.
const (
	uf2MagicStart0 uint32 = 0x0A324655
	uf2MagicStart1 uint32 = 0x9E5D5157
	uf2MagicEnd    uint32 = 0x0AB16F30
	uf2FlagFamily  uint32 = 0x2000 // the word at offset 28 is a family ID
	rp2040Family   uint32 = 0xe48bff56
)

// ValidateUF2 checks that data is a complete UF2 image for the RP2040:
// every 512-byte block carries the UF2 magic numbers, blocks are numbered
// 0..n-1 with the same count n, and a family ID, when present, is the
// RP2040's.
func ValidateUF2(data []byte) error {
	bad := func(format string, a ...any) error {
		return &Error{Op: "check uf2", Kind: BadUF2, Err: fmt.Errorf(format, a...)}
	}
	if len(data) == 0 || len(data)%uf2BlockSize != 0 {
		return bad("%d bytes is not a whole number of %d-byte blocks", len(data), uf2BlockSize)
	}
	count := len(data) / uf2BlockSize
	for i := range count {
		b := data[i*uf2BlockSize : (i+1)*uf2BlockSize]
		word := func(off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
		switch {
		case word(0) != uf2MagicStart0 || word(4) != uf2MagicStart1 || word(508) != uf2MagicEnd:
			return bad("block %d: no UF2 magic numbers", i)
		case word(16) > uf2MaxPayload:
			return bad("block %d: payload of %d bytes", i, word(16))
		case word(20) != uint32(i) || word(24) != uint32(count):
			return bad("block %d is numbered %d of %d, the file has %d blocks (truncated?)", i, word(20), word(24), count)
		case word(8)&uf2FlagFamily != 0 && word(28) != rp2040Family:
			return bad("block %d: family 0x%08x, not the RP2040's 0x%08x", i, word(28), rp2040Family)
		}
	}
	return nil
}

// ReadUF2 reads and validates a .uf2 file.
func ReadUF2(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Op: "read uf2", Kind: BadUF2, Err: err}
	}
	if err := ValidateUF2(data); err != nil {
		return nil, err
	}
	return data, nil
}

// DefaultMounts are where desktop Linux mounts the RPI-RP2 drive.
var DefaultMounts = []string{"/media/*/RPI-RP2", "/run/media/*/RPI-RP2", "/media/RPI-RP2", "/mnt/RPI-RP2"}

// infoFile marks a directory as a UF2 bootloader drive.
const infoFile = "INFO_UF2.TXT"

// FindDrive returns the first directory matching one of the glob patterns
// (DefaultMounts when none) that holds INFO_UF2.TXT.
func FindDrive(patterns []string) (string, bool) {
	for _, p := range orDefault(patterns) {
		dirs, _ := filepath.Glob(p) // the only error is a malformed pattern, which matches nothing
		for _, d := range dirs {
			if fi, err := os.Stat(filepath.Join(d, infoFile)); err == nil && fi.Mode().IsRegular() {
				return d, true
			}
		}
	}
	return "", false
}

// Polling of the drive and the port.
const (
	driveTimeout = 60 * time.Second
	portTimeout  = 30 * time.Second
	pollEvery    = 200 * time.Millisecond
)

// CopyUF2 validates the .uf2 at path, waits for an RPI-RP2 drive under
// mountRoots (see FindDrive), copies the file onto it and syncs. The Pico
// reboots into the new image once the copy lands. It returns the drive.
func CopyUF2(ctx context.Context, path string, mountRoots []string) (string, error) {
	data, err := ReadUF2(path)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, driveTimeout)
	defer cancel()
	drive, ok := FindDrive(mountRoots)
	for !ok {
		if !sleep(ctx, pollEvery) {
			return "", &Error{Op: "find drive", Kind: NoDrive, Err: fmt.Errorf("no %s under %v", infoFile, orDefault(mountRoots))}
		}
		drive, ok = FindDrive(mountRoots)
	}
	dst := filepath.Join(drive, filepath.Base(path))
	if err := writeSynced(dst, data); err != nil {
		return drive, &Error{Op: "copy uf2", Kind: Other, Err: err}
	}
	return drive, nil
}

func orDefault(patterns []string) []string {
	if len(patterns) == 0 {
		return DefaultMounts
	}
	return patterns
}

func writeSynced(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	return errors.Join(werr, f.Sync(), f.Close())
}

// WaitForPort waits until the serial port at path exists and opens.
func WaitForPort(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, portTimeout)
	defer cancel()
	for {
		l, err := link.Open(path, control.PortBaud)
		if err == nil {
			return l.Close()
		}
		if !sleep(ctx, pollEvery) {
			return &Error{Op: "wait for " + path, Kind: NoPort, Err: fmt.Errorf("last try: %s", link.KindOf(err))}
		}
	}
}

// FlashBase is where the RP2040's flash starts in its address space.
const FlashBase = 0x10000000

// EncodeUF2 wraps a flash image that starts at FlashBase into UF2 blocks
// of 256 payload bytes for the RP2040 family, as picotool writes them.
func EncodeUF2(image []byte) []byte {
	const payload = 256
	count := (len(image) + payload - 1) / payload
	out := make([]byte, 0, count*uf2BlockSize)
	for i := range count {
		b := make([]byte, uf2BlockSize)
		put := func(off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) }
		put(0, uf2MagicStart0)
		put(4, uf2MagicStart1)
		put(8, uf2FlagFamily)
		put(12, FlashBase+uint32(i*payload))
		put(16, payload)
		put(20, uint32(i))
		put(24, uint32(count))
		put(28, rp2040Family)
		copy(b[32:32+payload], image[i*payload:min((i+1)*payload, len(image))])
		put(508, uf2MagicEnd)
		out = append(out, b...)
	}
	return out
}

// Boot2CRC is the checksum the RP2040's mask ROM requires in the last
// word of boot stage 2 (datasheet 2.8.1.3): CRC-32 with polynomial
// 0x04c11db7, neither input nor output reflected, initial value
// 0xffffffff, no final XOR, over its first 252 bytes.
func Boot2CRC(boot2 []byte) uint32 { return crc32MPEG2(boot2[:252]) }

func crc32MPEG2(data []byte) uint32 {
	crc := uint32(0xffffffff)
	for _, b := range data {
		crc ^= uint32(b) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
