package report

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// ProbeHost describes the machine this process runs on.
func ProbeHost() Host {
	h := Host{Model: "unknown", Kernel: "unknown"}
	h.Name, _ = os.Hostname()
	if b, err := os.ReadFile("/proc/device-tree/model"); err == nil {
		if m := strings.TrimSpace(strings.TrimRight(string(b), "\x00")); m != "" {
			h.Model = m
		}
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		h.Kernel = strings.Join([]string{unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:])}, " ")
	}
	return h
}

// BenchID names the bench: HIL_BENCH_ID when set, else the host name.
func BenchID(getenv func(string) string, h Host) string {
	if id := getenv("HIL_BENCH_ID"); id != "" {
		return id
	}
	return h.Name
}
