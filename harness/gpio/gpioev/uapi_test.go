package gpioev

import (
	"encoding/binary"
	"testing"
	"unsafe"
)

// The kernel's layout of the uAPI v2 structs, from include/uapi/linux/gpio.h
// (sizeof and offsetof as a C compiler computes them; the header makes them
// the same on every architecture). Each Go struct must match field by field
// on the architecture the test is built for: run it natively (amd64), as
// GOARCH=386 (4-byte uint64 alignment, like 32-bit arm), and cross-compile
// it for arm and arm64 with go test -c.
func TestLayoutMatchesKernelABI(t *testing.T) {
	var (
		ci  chipInfo
		la  lineAttribute
		lca lineConfigAttribute
		lc  lineConfig
		lr  lineRequest
		lv  lineValues
		li  lineInfo
		le  lineEvent
	)
	for _, c := range []struct {
		what      string
		got, want uintptr
	}{
		{"sizeof gpiochip_info", unsafe.Sizeof(ci), 68},
		{"gpiochip_info.label", unsafe.Offsetof(ci.label), 32},
		{"gpiochip_info.lines", unsafe.Offsetof(ci.lines), 64},
		{"sizeof gpio_v2_line_attribute", unsafe.Sizeof(la), 16},
		{"gpio_v2_line_attribute.value", unsafe.Offsetof(la.value), 8},
		{"sizeof gpio_v2_line_config_attribute", unsafe.Sizeof(lca), 24},
		{"gpio_v2_line_config_attribute.mask", unsafe.Offsetof(lca.mask), 16},
		{"sizeof gpio_v2_line_config", unsafe.Sizeof(lc), 272},
		{"gpio_v2_line_config.num_attrs", unsafe.Offsetof(lc.numAttrs), 8},
		{"gpio_v2_line_config.attrs", unsafe.Offsetof(lc.attrs), 32},
		{"sizeof gpio_v2_line_request", unsafe.Sizeof(lr), 592},
		{"gpio_v2_line_request.consumer", unsafe.Offsetof(lr.consumer), 256},
		{"gpio_v2_line_request.config", unsafe.Offsetof(lr.config), 288},
		{"gpio_v2_line_request.num_lines", unsafe.Offsetof(lr.numLines), 560},
		{"gpio_v2_line_request.event_buffer_size", unsafe.Offsetof(lr.eventBufferSize), 564},
		{"gpio_v2_line_request.fd", unsafe.Offsetof(lr.fd), 588},
		{"sizeof gpio_v2_line_values", unsafe.Sizeof(lv), 16},
		{"gpio_v2_line_values.mask", unsafe.Offsetof(lv.mask), 8},
		{"sizeof gpio_v2_line_info", unsafe.Sizeof(li), 256},
		{"gpio_v2_line_info.offset", unsafe.Offsetof(li.offset), 64},
		{"gpio_v2_line_info.num_attrs", unsafe.Offsetof(li.numAttrs), 68},
		{"gpio_v2_line_info.flags", unsafe.Offsetof(li.flags), 72},
		{"gpio_v2_line_info.attrs", unsafe.Offsetof(li.attrs), 80},
		{"sizeof gpio_v2_line_event", unsafe.Sizeof(le), 48},
		{"gpio_v2_line_event.id", unsafe.Offsetof(le.id), 8},
		{"gpio_v2_line_event.offset", unsafe.Offsetof(le.offset), 12},
		{"gpio_v2_line_event.seqno", unsafe.Offsetof(le.seqno), 16},
		{"gpio_v2_line_event.line_seqno", unsafe.Offsetof(le.lineSeqno), 20},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, the kernel's is %d", c.what, c.got, c.want)
		}
	}
}

// The request numbers as the kernel header's macros expand them.
func TestIoctlNumbersMatchKernelHeader(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"GPIO_GET_CHIPINFO_IOCTL", ioctlGetChipInfo, 0x8044b401},
		{"GPIO_V2_GET_LINEINFO_IOCTL", ioctlGetLineInfo, 0xc100b405},
		{"GPIO_V2_GET_LINE_IOCTL", ioctlGetLine, 0xc250b407},
		{"GPIO_V2_LINE_SET_CONFIG_IOCTL", ioctlSetConfig, 0xc110b40d},
		{"GPIO_V2_LINE_GET_VALUES_IOCTL", ioctlGetValues, 0xc010b40e},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, the kernel's is %#x", c.name, c.got, c.want)
		}
	}
}

// record is a gpio_v2_line_event as the kernel writes it, built byte by
// byte at the header's offsets, independently of the Go struct.
func record(ns uint64, id, offset, seqno, lineSeqno uint32) []byte {
	b := make([]byte, 48)
	o := binary.NativeEndian
	o.PutUint64(b[0:], ns)
	o.PutUint32(b[8:], id)
	o.PutUint32(b[12:], offset)
	o.PutUint32(b[16:], seqno)
	o.PutUint32(b[20:], lineSeqno)
	for i := 24; i < 48; i++ {
		b[i] = 0xEE // padding the decoder must ignore
	}
	return b
}

func TestDecodeEventReadsKernelRecord(t *testing.T) {
	e := decodeEvent(record(0x0123456789abcdef, eventFallingEdge, 17, 7, 5))
	want := lineEvent{timestampNs: 0x0123456789abcdef, id: eventFallingEdge, offset: 17, seqno: 7, lineSeqno: 5}
	e.padding = want.padding
	if e != want {
		t.Fatalf("decoded %+v, want %+v", e, want)
	}
}

func TestCStringStopsAtNUL(t *testing.T) {
	if got := cString([]byte("pinctrl-bcm2711\x00junk")); got != "pinctrl-bcm2711" {
		t.Fatalf("got %q", got)
	}
	if got := cString([]byte("full")); got != "full" {
		t.Fatalf("got %q", got)
	}
}
