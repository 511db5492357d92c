package clock

import (
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
)

// BenchmarkPollerWake measures how long a goroutine woken by the Go poller
// (a pipe read, as a fixture reads its runner or a pty) waits to run while
// one goroutine per P keeps making fine waits (a paced line's receive and
// transmit loops). timerfd: WaitUntil's fine timer, which parks the
// waiter; nanosleep: the same waits holding the P, the reference. Reported
// per sub-benchmark: wake-p50-us, wake-p99-us over the writes of the run.
func BenchmarkPollerWake(b *testing.B) {
	for _, c := range []struct {
		name  string
		sleep func(time.Time)
	}{
		{"timerfd", sleepFine},
		{"nanosleep", nanosleepUntil},
	} {
		b.Run(c.name, func(b *testing.B) {
			r, w, err := os.Pipe()
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			defer w.Close()
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range runtime.GOMAXPROCS(0) {
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						c.sleep(time.Now().Add(87 * time.Microsecond)) // a character time at 115200 baud
					}
				})
			}
			// The reader sleeps in the poller; each write carries no data
			// but its instant, taken just before the write.
			sent := make(chan time.Time, 1)
			wakes := make([]float64, 0, b.N)
			read := make(chan struct{})
			go func() {
				defer close(read)
				buf := make([]byte, 1)
				for range b.N {
					if _, err := r.Read(buf); err != nil {
						return
					}
					wakes = append(wakes, float64(time.Since(<-sent).Microseconds()))
				}
			}()
			b.ResetTimer()
			for range b.N {
				time.Sleep(time.Millisecond)
				sent <- time.Now()
				if _, err := w.Write([]byte{0}); err != nil {
					b.Fatal(err)
				}
			}
			<-read
			b.StopTimer()
			close(stop)
			wg.Wait()
			slices.Sort(wakes)
			b.ReportMetric(stats.Percentile(wakes, 50), "wake-p50-us")
			b.ReportMetric(stats.Percentile(wakes, 99), "wake-p99-us")
		})
	}
}
