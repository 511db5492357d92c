package target

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestRegisterOpenAndNames(t *testing.T) {
	halted := false
	Register("test-b", Driver{Open: func(context.Context, Settings) (*Device, error) {
		return &Device{DataPort: "/dev/b", Halt: func() error { halted = true; return nil }}, nil
	}})
	Register("test-a", Driver{Open: func(_ context.Context, s Settings) (*Device, error) {
		return &Device{DataPort: s.Serial}, nil
	}})
	if n := Names(); !slices.IsSorted(n) || !slices.Contains(n, "test-a") || !slices.Contains(n, "test-b") {
		t.Fatalf("Names() = %v", n)
	}
	d, err := Open(context.Background(), "test-a", Settings{Serial: "/dev/a"})
	if err != nil || d.DataPort != "/dev/a" || d.Halt() != nil {
		t.Fatalf("open test-a: %+v, %v", d, err)
	}
	d, err = Open(context.Background(), "test-b", Settings{})
	if err != nil || d.Halt() != nil || !halted {
		t.Fatalf("open test-b: %+v, %v, halted %v", d, err, halted)
	}
	_, err = Open(context.Background(), "rp2040", Settings{})
	if err == nil || strings.Count(err.Error(), "\n") > 0 || !strings.Contains(err.Error(), "test-a test-b") {
		t.Fatalf("unknown target: %v", err)
	}
}

func TestRegisterRefusesMistakes(t *testing.T) {
	open := func(context.Context, Settings) (*Device, error) { return &Device{}, nil }
	Register("test-twice", Driver{Open: open})
	for name, d := range map[string]Driver{"": {Open: open}, "test-no-open": {}, "test-twice": {Open: open}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", name)
				}
			}()
			Register(name, d)
		}()
	}
}
