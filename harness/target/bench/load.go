package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/picohil/picohil/harness/support/repo"
	"github.com/picohil/picohil/harness/target"
)

// Load reads the bench profile — HIL_BENCH, else bench.yaml in the current
// directory or at the module root unless HIL_TARGET names a fixture, else
// none — picks this process's bench from it and lays the HIL_* environment
// over it. Without a profile it is FromEnv. process is the 1-based parallel process number: with a benches
// list, process N binds to bench N unless HIL_BENCH_ID names one.
func Load(getenv func(string) string, process int) (Config, error) {
	env := environment(getenv)
	c := Config{Environment: env, BenchID: getenv("HIL_BENCH_ID")}
	name := getenv("HIL_BENCH")
	if d, ok := target.Lookup(env["HIL_TARGET"]); name == "" && ok && target.IsFixture(d) {
		// bench.yaml describes hardware: a fixture named in the environment
		// (as make test does) runs without it unless HIL_BENCH asks for it.
		return build(c, settings{values: env})
	}
	dir, err := os.Getwd()
	if err != nil {
		return c, fmt.Errorf("bench: current directory: %w", err)
	}
	path, err := findProfile(name, dir)
	if err != nil {
		return c, err
	}
	if path == "" {
		return build(c, settings{values: env})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c, &FileError{File: path, Problem: err.Error(), Hint: "make the file readable, or point HIL_BENCH at another profile"}
	}
	f, fieldErrs, err := parseFile(path, data)
	if err != nil {
		return c, err
	}
	p, key, err := f.pick(path, c.BenchID, process)
	if err != nil {
		return c, errors.Join(append(fieldErrs, err)...)
	}
	if err := f.checkSameSpecs(path, env); err != nil {
		return c, errors.Join(append(fieldErrs, err)...)
	}
	c.Profile, c.BenchID = path, p.ID
	c, err = build(c, f.merged(path, p, key).over(env))
	return c, errors.Join(append(fieldErrs, err)...)
}

// merged is a bench's settings: its own fields over the file's top level.
// A setting's origin is the bench's field, set or not, unless the value
// comes from the top level. key is "" for a file of one bench.
func (f File) merged(path string, b Profile, key string) settings {
	s := settings{values: map[string]string{}, origin: map[string]string{}}
	prefix := path + ": "
	if key != "" {
		prefix += key + "."
	}
	for _, fl := range f.Profile.fields() {
		s.origin[fl.env] = prefix + fl.key
		if fl.set {
			s.values[fl.env], s.origin[fl.env] = fl.value, path+": "+fl.key
		}
	}
	if key != "" {
		for _, fl := range b.fields() {
			if fl.set {
				s.values[fl.env], s.origin[fl.env] = fl.value, prefix+fl.key
			}
		}
	}
	return s
}

// over lays the environment over the settings: a variable that is set
// wins over the file.
func (s settings) over(env map[string]string) settings {
	for name, v := range env {
		s.values[name] = v
		delete(s.origin, name)
	}
	return s
}

// specShaping are the settings the spec list is built from: spec names,
// the baud sweep and timeouts follow them.
var specShaping = []struct {
	name string
	of   func(Config) string
}{
	{"HIL_BAUD", func(c Config) string { return strconv.Itoa(c.Baud) }},
	{"HIL_BAUDS", func(c Config) string { return fmt.Sprint(c.Bauds) }},
	{"HIL_BLINK_MS", func(c Config) string { return strconv.Itoa(int(c.BlinkHalf / time.Millisecond)) }},
}

// checkSameSpecs refuses benches that would give parallel processes
// different spec lists: Ginkgo builds each process's spec tree from its
// own bench, and the processes must agree on it. A bench whose settings
// do not parse is left to its own process to report.
func (f File) checkSameSpecs(path string, env map[string]string) error {
	var first Config
	firstID := ""
	for _, b := range f.Benches {
		s := f.merged(path, b, "benches["+b.ID+"]").over(env)
		c, err := build(Config{}, s)
		if err != nil {
			continue
		}
		if firstID == "" {
			first, firstID = c, b.ID
			continue
		}
		for _, sh := range specShaping {
			if v, want := sh.of(c), sh.of(first); v != want {
				return &ConfigError{s.from(sh.name), v, fmt.Sprintf("bench %s has %s", firstID, want),
					"benches run in parallel share one spec list; give them the same baud/bauds/blink_half_ms"}
			}
		}
	}
	return nil
}

// exclusive are the settings no two benches of a file may share: each
// Pico has its own lines.
var exclusive = []string{"HIL_SERIAL", "HIL_CONTROL", "HIL_CONTROL_USB_SERIAL", "HIL_LED_PIN", "HIL_RESET_PIN", "HIL_JUMPER_PIN", "HIL_POWER"}

// checkShared finds a port, serial number or pin two benches both use.
func (f File) checkShared(path string) error {
	user := map[[2]string]string{} // setting and value -> id of the first bench using it
	for _, b := range f.Benches {
		s := f.merged(path, b, "benches["+b.ID+"]")
		for _, name := range exclusive {
			v, ok := s.values[name]
			if !ok {
				continue
			}
			if first, taken := user[[2]string{name, v}]; taken {
				return &ConfigError{s.from(name), v, fmt.Sprintf("benches %s and %s both use it", first, b.ID),
					"each bench needs its own ports and pins: set them per bench under benches:"}
			}
			user[[2]string{name, v}] = b.ID
		}
	}
	return nil
}

// benchID is the shape of a bench's id in a list: a plain name, since it
// names the bench in messages, reports and HIL_BENCH_ID.
var benchID = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// pick chooses the bench: the one named id, else the process's.
func (f File) pick(path, id string, process int) (Profile, string, error) {
	fail := func(problem, hint string) (Profile, string, error) {
		return Profile{}, "", &FileError{File: path, Problem: problem, Hint: hint}
	}
	if id != "" && process > 1 {
		return fail(fmt.Sprintf("HIL_BENCH_ID=%s binds every parallel process to one bench (this is process %d)", id, process),
			"unset HIL_BENCH_ID to bind process N to bench N, or run without -p")
	}
	if f.Benches == nil {
		switch {
		case id != "" && id != f.ID:
			return fail(fmt.Sprintf("HIL_BENCH_ID=%s but the bench is %q", id, f.ID), "set id: in the profile, or unset HIL_BENCH_ID")
		case process > 1:
			return fail(fmt.Sprintf("ginkgo -p started process %d but the file describes one bench", process),
				"list one bench per parallel process under benches:, or run without -p")
		}
		return f.Profile, "", nil
	}
	if f.ID != "" {
		return fail("id is set at the top level of a file with benches", "give each bench its own id under benches:, and no top-level id")
	}
	if len(f.Benches) == 0 {
		return fail("benches: is an empty list", "list at least one bench with an id, or describe a single bench at the top level")
	}
	ids := make([]string, len(f.Benches))
	seen := map[string]bool{}
	for i, b := range f.Benches {
		switch {
		case b.ID == "":
			return fail(fmt.Sprintf("benches[%d] has no id", i), "give every bench an id: it names the bench in reports and in HIL_BENCH_ID")
		case !benchID.MatchString(b.ID):
			return fail(fmt.Sprintf("benches[%d] has the id %q", i, b.ID), "a bench id is letters, digits, '.', '-' and '_', such as pico-a")
		case seen[b.ID]:
			return fail(fmt.Sprintf("two benches have the id %q", b.ID), "bench ids must be unique")
		}
		seen[b.ID], ids[i] = true, b.ID
	}
	if err := f.checkShared(path); err != nil {
		return Profile{}, "", err
	}
	if id != "" {
		for _, b := range f.Benches {
			if b.ID == id {
				return b, "benches[" + id + "]", nil
			}
		}
		return fail(fmt.Sprintf("no bench has the id HIL_BENCH_ID=%s", id), "the ids are "+strings.Join(ids, ", "))
	}
	if process < 1 || process > len(f.Benches) {
		return fail(fmt.Sprintf("ginkgo -p started process %d but the file lists %d benches", process, len(f.Benches)),
			fmt.Sprintf("run with --procs %d or fewer, or add benches", len(f.Benches)))
	}
	b := f.Benches[process-1]
	return b, "benches[" + b.ID + "]", nil
}

// lookIn is where a path a setting gives is looked for: as it is when
// absolute, else in dir and then at the module root above it.
func lookIn(path, dir string) []string {
	if filepath.IsAbs(path) {
		return []string{path}
	}
	candidates := []string{filepath.Join(dir, path)}
	if root, ok := repo.Root(dir); ok && root != dir {
		candidates = append(candidates, filepath.Join(root, path))
	}
	return candidates
}

// findScenarios resolves HIL_SCENARIOS, a directory, as lookIn does.
func findScenarios(name string, s settings) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("bench: current directory: %w", err)
	}
	candidates := lookIn(name, dir)
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			return c, nil
		}
	}
	return "", &ConfigError{s.from("HIL_SCENARIOS"), name, "no such directory (looked for " + strings.Join(candidates, " and ") + ")",
		"give a directory of Wokwi scenario files (*.yaml), e.g. make hil SCENARIOS=specs/scenarios"}
}

// findProfile resolves HIL_BENCH (name, "" when unset) against dir and
// then the module root above it; unset, it looks for DefaultProfile the
// same way and returns "" when there is none.
func findProfile(name, dir string) (string, error) {
	look := name
	if look == "" {
		look = DefaultProfile
	}
	candidates := lookIn(look, dir)
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	if name == "" {
		return "", nil
	}
	return "", &ConfigError{"HIL_BENCH", name, "no such file (looked for " + strings.Join(candidates, " and ") + ")",
		"give the bench profile's path; harness/target/bench/bench.example.yaml documents one"}
}
