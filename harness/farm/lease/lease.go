// Package lease gives a bench to one job at a time. A lease is per bench,
// not per Pi: one Pi can host several Picos (a bench profile's benches),
// and a runner's own lock covers only the whole Pi.
//
// A lease is a small JSON record, <dir>/<bench>.json, naming its owner (the
// job, the PID and the host) and when it expires. The holder renews it
// every third of its time to live while it runs; a holder that died (a
// cancelled job, a killed process) stops renewing, and the lease is broken
// by the next job once it has expired. A job that finds the bench held
// waits, up to a deadline, and says once, in one line, whom it waits for.
//
// Reading and replacing the record happens under flock(2) on
// <dir>/<bench>.lock, held only for that moment, so two jobs never both
// take a free or stale lease.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// Owner is who holds a lease.
type Owner struct {
	Job  string `json:"job"` // the CI job or the person's command
	PID  int    `json:"pid"`
	Host string `json:"host"`
}

func (o Owner) String() string { return fmt.Sprintf("job %q (PID %d on %s)", o.Job, o.PID, o.Host) }

// Record is a lease as stored.
type Record struct {
	Bench    string    `json:"bench"`
	Owner    Owner     `json:"owner"`
	Token    string    `json:"token"` // tells this holder from a later one with the same PID
	Acquired time.Time `json:"acquired"`
	Expires  time.Time `json:"expires"`
}

// Holder describes the record's owner and expiry in words.
func (r Record) Holder() string {
	return fmt.Sprintf("%s since %s, expires %s", r.Owner, r.Acquired.Format(time.RFC3339), r.Expires.Format(time.RFC3339))
}

// Options are how a lease is taken.
type Options struct {
	Dir   string        // where the records live
	TTL   time.Duration // a lease not renewed for this long is stale
	Wait  time.Duration // how long to wait for a held bench
	Owner Owner
	// Say receives one line when the wait begins, when the holder changes
	// during the wait, and when a stale lease is broken; nil says nothing.
	Say func(line string)
}

// poll is how often a held lease is looked at again while waiting.
const poll = 100 * time.Millisecond

// benchName is the shape of a bench id that names a file.
var benchName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// RefusedError is a bench still held when the wait's deadline came.
type RefusedError struct {
	Bench  string
	Holder Record
	Waited time.Duration
	Cause  error // the context's cause when the caller's context ended first
}

func (e *RefusedError) Error() string {
	why := fmt.Sprintf("waited %v", e.Waited.Round(100*time.Millisecond))
	if e.Cause != nil {
		why += " (" + e.Cause.Error() + ")"
	}
	return fmt.Sprintf("lease: bench %s is held by %s; %s (hint: wait for that job, or raise HIL_LEASE_WAIT; a holder that died is broken once its lease expires)",
		e.Bench, e.Holder.Holder(), why)
}

// Lease is a held lease; Release gives it back.
type Lease struct {
	Record
	path, lock string
	ttl        time.Duration
	say        func(string)
	stop       chan struct{}
	done       chan struct{}
	once       sync.Once
	mu         sync.Mutex
	lost       error
}

// Acquire takes the lease of bench, waiting up to o.Wait while another
// job holds it, and keeps it renewed until Release.
func Acquire(ctx context.Context, bench string, o Options) (*Lease, error) {
	if !benchName.MatchString(bench) {
		return nil, fmt.Errorf("lease: bench id %q cannot name a lease (hint: a bench id is letters, digits, '.', '-' and '_', as in the bench profile)", bench)
	}
	if o.TTL <= 0 || o.Wait < 0 {
		return nil, fmt.Errorf("lease: time to live %v and wait %v: the time to live must be positive and the wait not negative", o.TTL, o.Wait)
	}
	if err := os.MkdirAll(o.Dir, 0o775); err != nil {
		return nil, fmt.Errorf("lease: %w (hint: HIL_STATE_DIR must be a directory this user can write)", err)
	}
	say := o.Say
	if say == nil {
		say = func(string) {}
	}
	l := &Lease{path: filepath.Join(o.Dir, bench+".json"), lock: filepath.Join(o.Dir, bench+".lock"), ttl: o.TTL, say: say}
	wctx, cancel := context.WithTimeout(ctx, o.Wait)
	defer cancel()
	start := time.Now()
	var seen string // the token of the holder last reported
	for {
		held, err := l.tryTake(wctx, bench, o.Owner)
		if err != nil {
			return nil, err
		}
		if held == nil {
			l.stop, l.done = make(chan struct{}), make(chan struct{})
			go l.renew()
			return l, nil
		}
		if held.Token != seen {
			seen = held.Token
			say(fmt.Sprintf("lease: bench %s is held by %s; waiting up to %v", bench, held.Holder(), (o.Wait - time.Since(start)).Round(time.Second)))
		}
		t := time.NewTimer(poll)
		select {
		case <-wctx.Done():
			t.Stop()
			refused := &RefusedError{Bench: bench, Holder: *held, Waited: time.Since(start)}
			if ctx.Err() != nil {
				refused.Cause = context.Cause(ctx)
			}
			return nil, refused
		case <-t.C:
		}
	}
}

// tryTake takes the lease when it is free or stale; otherwise it returns
// the live record that holds it.
func (l *Lease) tryTake(ctx context.Context, bench string, owner Owner) (*Record, error) {
	var held *Record
	err := l.locked(ctx, func() error {
		cur, err := read(l.path)
		if err != nil {
			return err
		}
		now := time.Now()
		if cur != nil && now.Before(cur.Expires) {
			held = cur
			return nil
		}
		if cur != nil {
			l.say(fmt.Sprintf("lease: broke the stale lease of bench %s: %s", bench, cur.Holder()))
		}
		l.Record = Record{Bench: bench, Owner: owner, Token: token(), Acquired: now, Expires: now.Add(l.ttl)}
		return write(l.path, l.Record)
	})
	return held, err
}

// renew extends the lease every third of its time to live until Release.
func (l *Lease) renew() {
	defer close(l.done)
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), l.ttl/3)
		err := l.locked(ctx, func() error {
			cur, err := read(l.path)
			if err != nil {
				return err
			}
			if cur == nil || cur.Token != l.Token {
				return fmt.Errorf("lease: bench %s was taken over after this job's lease expired (hint: the job stalled past HIL_LEASE_TTL; raise it)", l.Bench)
			}
			l.Expires = time.Now().Add(l.ttl)
			return write(l.path, l.Record)
		})
		cancel()
		if err != nil {
			l.mu.Lock()
			l.lost = err
			l.mu.Unlock()
			l.say(err.Error())
			return
		}
	}
}

// Lost is why the lease was lost while held, nil while it is held.
func (l *Lease) Lost() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// Release stops renewing and removes the record if it is still this
// holder's. It is safe to call more than once.
func (l *Lease) Release() error {
	var err error
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		ctx, cancel := context.WithTimeout(context.Background(), l.ttl)
		defer cancel()
		err = l.locked(ctx, func() error {
			cur, err := read(l.path)
			if err != nil || cur == nil || cur.Token != l.Token {
				return err
			}
			if err := os.Remove(l.path); err != nil {
				return fmt.Errorf("lease: %w", err)
			}
			return nil
		})
	})
	return err
}

// locked runs f under an exclusive flock of the lock file, trying until
// ctx ends: the lock is only ever held for a read and a write.
func (l *Lease) locked(ctx context.Context, f func() error) error {
	fd, err := os.OpenFile(l.lock, os.O_RDWR|os.O_CREATE, 0o664)
	if err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	defer fd.Close()
	for {
		err := syscall.Flock(int(fd.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return fmt.Errorf("lease: lock %s: %w", l.lock, err)
		}
		t := time.NewTimer(10 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("lease: lock %s: still locked: %w", l.lock, context.Cause(ctx))
		case <-t.C:
		}
	}
	defer syscall.Flock(int(fd.Fd()), syscall.LOCK_UN)
	return f()
}

// read loads the record at path, nil when there is none.
func read(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lease: %w", err)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		// A record cut short (a full disk) cannot hold the bench: treat it
		// as expired, with what is known.
		return &Record{Owner: Owner{Job: "unreadable lease record: " + err.Error()}}, nil
	}
	return &r, nil
}

// write replaces the record at path atomically.
func write(path string, r Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o664); err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	return nil
}

func token() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
