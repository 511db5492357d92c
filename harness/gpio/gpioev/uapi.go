package gpioev

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The Linux GPIO character device uAPI v2 (include/uapi/linux/gpio.h):
// every struct the kernel reads or writes and every ioctl request number is
// defined here and nowhere else. The kernel made these structs the same on
// 32- and 64-bit ABIs: fixed-size arrays, explicit padding, every 64-bit
// field on an 8-byte offset and every size a multiple of 8. Go aligns uint64
// to 4 bytes on 32-bit arm, which is harmless only because no implicit
// padding is needed anywhere; the size checks below fail the build on any
// architecture where a layout differs, and uapi_test.go checks every field
// offset.

const (
	maxNameSize    = 32 // GPIO_MAX_NAME_SIZE
	linesMax       = 64 // GPIO_V2_LINES_MAX
	lineNumAttrMax = 10 // GPIO_V2_LINE_NUM_ATTRS_MAX
	// eventQueue is the request's event_buffer_size: edges the kernel keeps
	// while nobody reads (beyond it the oldest is dropped, leaving a gap in
	// the sequence numbers).
	eventQueue = 256
)

// enum gpio_v2_line_flag.
const (
	flagInput        uint64 = 1 << 2
	flagEdgeRising   uint64 = 1 << 4
	flagEdgeFalling  uint64 = 1 << 5
	flagBiasPullUp   uint64 = 1 << 8
	flagBiasPullDown uint64 = 1 << 9
	flagBiasDisabled uint64 = 1 << 10
	flagEdges               = flagEdgeRising | flagEdgeFalling
	flagBias                = flagBiasPullUp | flagBiasPullDown | flagBiasDisabled
)

// enum gpio_v2_line_event_id.
const (
	eventRisingEdge  uint32 = 1
	eventFallingEdge uint32 = 2
)

// struct gpiochip_info.
type chipInfo struct {
	name  [maxNameSize]byte
	label [maxNameSize]byte
	lines uint32
}

// struct gpio_v2_line_attribute; value is a union (flags, values or
// debounce_period_us) interpreted by id.
type lineAttribute struct {
	id      uint32
	padding uint32
	value   uint64
}

// struct gpio_v2_line_config_attribute.
type lineConfigAttribute struct {
	attr lineAttribute
	mask uint64
}

// struct gpio_v2_line_config.
type lineConfig struct {
	flags    uint64
	numAttrs uint32
	padding  [5]uint32
	attrs    [lineNumAttrMax]lineConfigAttribute
}

// struct gpio_v2_line_request; fd is filled in by the kernel.
type lineRequest struct {
	offsets         [linesMax]uint32
	consumer        [maxNameSize]byte
	config          lineConfig
	numLines        uint32
	eventBufferSize uint32
	padding         [5]uint32
	fd              int32
}

// struct gpio_v2_line_values; bit i is the i-th requested line.
type lineValues struct {
	bits uint64
	mask uint64
}

// struct gpio_v2_line_info.
type lineInfo struct {
	name     [maxNameSize]byte
	consumer [maxNameSize]byte
	offset   uint32
	numAttrs uint32
	flags    uint64
	attrs    [lineNumAttrMax]lineAttribute
	padding  [4]uint32
}

// struct gpio_v2_line_event, read from the line request fd.
type lineEvent struct {
	timestampNs uint64
	id          uint32
	offset      uint32
	seqno       uint32
	lineSeqno   uint32
	padding     [6]uint32
}

// Sizes from the kernel header; a difference on any GOARCH is a compile
// error here (a negative or non-zero array length), because the kernel
// copies that many bytes into or out of these structs.
var (
	_ [unsafe.Sizeof(chipInfo{}) - 68]struct{}
	_ [68 - unsafe.Sizeof(chipInfo{})]struct{}
	_ [unsafe.Sizeof(lineConfig{}) - 272]struct{}
	_ [272 - unsafe.Sizeof(lineConfig{})]struct{}
	_ [unsafe.Sizeof(lineRequest{}) - 592]struct{}
	_ [592 - unsafe.Sizeof(lineRequest{})]struct{}
	_ [unsafe.Sizeof(lineValues{}) - 16]struct{}
	_ [16 - unsafe.Sizeof(lineValues{})]struct{}
	_ [unsafe.Sizeof(lineInfo{}) - 256]struct{}
	_ [256 - unsafe.Sizeof(lineInfo{})]struct{}
	_ [unsafe.Sizeof(lineEvent{}) - 48]struct{}
	_ [48 - unsafe.Sizeof(lineEvent{})]struct{}
)

// eventSize is the size of one record read from a line request fd.
const eventSize = int(unsafe.Sizeof(lineEvent{}))

// ioctl request numbers, encoded as in include/uapi/asm-generic/ioctl.h
// (arm, arm64 and x86 use it): direction in bits 30-31, argument size in
// bits 16-29, type 0xB4 in bits 8-15, number in bits 0-7.
var (
	ioctlGetChipInfo = gpioIoctl(iocRead, 0x01, unsafe.Sizeof(chipInfo{}))
	ioctlGetLineInfo = gpioIoctl(iocRead|iocWrite, 0x05, unsafe.Sizeof(lineInfo{}))
	ioctlGetLine     = gpioIoctl(iocRead|iocWrite, 0x07, unsafe.Sizeof(lineRequest{}))
	ioctlSetConfig   = gpioIoctl(iocRead|iocWrite, 0x0D, unsafe.Sizeof(lineConfig{}))
	ioctlGetValues   = gpioIoctl(iocRead|iocWrite, 0x0E, unsafe.Sizeof(lineValues{}))
)

const (
	iocWrite  = 1
	iocRead   = 2
	gpioMagic = 0xB4
)

func gpioIoctl(dir, nr, size uintptr) uintptr {
	return dir<<30 | size<<16 | gpioMagic<<8 | nr
}

// ioctl issues req on fd with arg pointing at one of the structs above.
func ioctl(fd, req uintptr, arg unsafe.Pointer) error {
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, fd, req, uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}

// cString is a NUL-terminated name field as a string.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// decodeEvent copies one record out of b, which holds at least eventSize
// bytes in the kernel's (native-endian) layout.
func decodeEvent(b []byte) lineEvent {
	var e lineEvent
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&e)), eventSize), b[:eventSize])
	return e
}
