package report

import "runtime/debug"

// version is set when the binary is linked:
//
//	-ldflags "-X github.com/picohil/picohil/harness/report.version=$(git describe --tags --always --dirty)"
//
// as the Makefile does for every binary it builds.
var version string

// HarnessVersion is the version of the harness that wrote a report: the
// `git describe` it was linked with; else the revision the go command
// stamped into the binary (go build in a git tree), "+dirty" when the tree
// had changes; else "unknown" (go test -c and go run stamp nothing).
func HarnessVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if rev == "" {
		return "unknown"
	}
	return rev[:min(12, len(rev))] + dirty
}
