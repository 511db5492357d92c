package lease

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"
)

// Defaults of the environment's settings.
const (
	DefaultTTL  = 2 * time.Minute
	DefaultWait = 20 * time.Minute
)

// The environment's settings:
//
//	HIL_STATE_DIR   the bench's state: leases in lease/, health marks in health/;
//	                default $XDG_STATE_HOME/picohil, else ~/.local/state/picohil.
//	                Everyone who runs on the Pi must share it (one runner user does).
//	HIL_LEASE_TTL   a lease not renewed for this long is broken (default 2m)
//	HIL_LEASE_WAIT  how long a job waits for a held bench (default 20m)
//	HIL_JOB         names the job in the lease (default: the GitHub Actions run
//	                and job, else the user and command)

// StateDir is HIL_STATE_DIR, else picohil under the user's state directory.
func StateDir(getenv func(string) string) (string, error) {
	if d := getenv("HIL_STATE_DIR"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "picohil"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("lease: no HIL_STATE_DIR, XDG_STATE_HOME or HOME to keep the bench's state in (hint: set HIL_STATE_DIR to a directory every job on this Pi can write)")
	}
	return filepath.Join(home, ".local", "state", "picohil"), nil
}

// FromEnv reads the options from the environment; the owner is this
// process.
func FromEnv(getenv func(string) string) (Options, error) {
	dir, err := StateDir(getenv)
	if err != nil {
		return Options{}, err
	}
	o := Options{Dir: filepath.Join(dir, "lease"), TTL: DefaultTTL, Wait: DefaultWait, Owner: self(getenv)}
	var errs []error
	for _, d := range []struct {
		name string
		to   *time.Duration
		min  time.Duration
	}{{"HIL_LEASE_TTL", &o.TTL, 3 * poll}, {"HIL_LEASE_WAIT", &o.Wait, 0}} {
		v := getenv(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t < d.min {
			errs = append(errs, fmt.Errorf("lease: %s=%q: not a duration of at least %v (hint: a Go duration such as 90s or 5m)", d.name, v, d.min))
			continue
		}
		*d.to = t
	}
	return o, errors.Join(errs...)
}

// self is this process as an owner.
func self(getenv func(string) string) Owner {
	host, _ := os.Hostname()
	o := Owner{Job: getenv("HIL_JOB"), PID: os.Getpid(), Host: host}
	if o.Job == "" && getenv("GITHUB_RUN_ID") != "" {
		o.Job = fmt.Sprintf("%s run %s attempt %s job %s", getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"), getenv("GITHUB_RUN_ATTEMPT"), getenv("GITHUB_JOB"))
	}
	if o.Job == "" {
		name := "unknown user"
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		o.Job = name + ": " + filepath.Base(os.Args[0])
	}
	return o
}

// Take acquires bench's lease with the environment's settings (FromEnv);
// say receives the lines of Options.Say.
func Take(ctx context.Context, getenv func(string) string, bench string, say func(string)) (*Lease, error) {
	o, err := FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	o.Say = say
	return Acquire(ctx, bench, o)
}

// Wanted reports whether a run on a bench takes its lease: every hardware
// bench, and a fixture's, which is the process's own, only when
// HIL_STATE_DIR asks for the farm's state.
func Wanted(fixture bool, getenv func(string) string) bool {
	return !fixture || getenv("HIL_STATE_DIR") != ""
}
