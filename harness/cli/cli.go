// Package cli runs a command made of verbs, `<command> <verb> [flags]`: it
// prints the usage built from the verb table, dispatches to the verb, and
// turns the verb's error into one line on stderr and an exit status.
//
// The exit statuses: 0 success, 1 a failure, ExitUsage (2) a usage error —
// a missing or unknown verb, a bad flag or setting — which is refused
// before anything opens.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// ExitUsage is the exit status of a usage error.
const ExitUsage = 2

// UsageError is a mistake in how a command was called: a bad flag, value
// or setting. It is reported before anything opens, with exit status
// ExitUsage.
type UsageError struct{ Err error }

func (e *UsageError) Error() string   { return e.Err.Error() }
func (e *UsageError) Unwrap() error   { return e.Err }
func (e *UsageError) ExitStatus() int { return ExitUsage }

// ExitSkipped is the exit status of a lane that cannot run here; the
// Makefile's SKIPPED_OK takes it as a skip, never as a pass.
const ExitSkipped = 3

// SkippedError is a lane that cannot run here for want of a tool, a
// package or an image: "<lane>: SKIPPED, not passed: <what and how to
// get it>", with exit status ExitSkipped.
type SkippedError struct {
	Lane string
	Err  error
}

func (e *SkippedError) Error() string   { return e.Lane + ": SKIPPED, not passed: " + e.Err.Error() }
func (e *SkippedError) Unwrap() error   { return e.Err }
func (e *SkippedError) ExitStatus() int { return ExitSkipped }

// Usagef is a UsageError with a formatted message; end it with a hint.
func Usagef(format string, a ...any) error {
	return &UsageError{fmt.Errorf(format, a...)}
}

// Parse parses a verb's flags. An unknown flag, a value of the wrong type
// or a stray argument is a UsageError on one line naming the verb, with a
// hint; -h prints the flags on w and returns flag.ErrHelp, which Run turns
// into exit status 0.
func Parse(fs *flag.FlagSet, args []string, w io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(w)
		fmt.Fprintf(w, "flags of %s:\n", fs.Name())
		fs.PrintDefaults()
		return err
	case err != nil:
		return Usagef("%s: %v (hint: %s -h lists its flags)", fs.Name(), err, fs.Name())
	case fs.NArg() > 0:
		return Usagef("%s: unexpected argument %q (hint: every setting is a flag such as --out x; %s -h lists them)", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

// Verb is one subcommand.
type Verb struct {
	Name    string
	Summary string
	Run     func(args []string, stdout io.Writer) error
}

// StatusError is an error that asks for an exit status other than 1.
type StatusError interface {
	error
	ExitStatus() int
}

// Main runs the verb named by os.Args[1] and exits with its status.
func Main(command, invocation string, verbs []Verb) {
	os.Exit(Run(command, invocation, verbs, os.Args[1:], os.Stdout, os.Stderr))
}

// Run dispatches args to a verb and returns the exit status: 0 on success,
// ExitUsage for a missing or unknown verb, the error's ExitStatus when it
// has one (ExitUsage for a UsageError), else 1.
func Run(command, invocation string, verbs []Verb, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, Usage(invocation, verbs))
		return ExitUsage
	}
	for _, v := range verbs {
		if v.Name != args[0] {
			continue
		}
		err := v.Run(args[1:], stdout)
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		if se, ok := errors.AsType[StatusError](err); ok {
			return se.ExitStatus()
		}
		return 1
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n%s\n", command, args[0], Usage(invocation, verbs))
	return ExitUsage
}

// Usage lists the verbs under "usage: <invocation> <command> [flags]".
func Usage(invocation string, verbs []Verb) string {
	width := 0
	for _, v := range verbs {
		width = max(width, len(v.Name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s <command> [flags]\n\ncommands:", invocation)
	for _, v := range verbs {
		fmt.Fprintf(&b, "\n  %-*s  %s", width, v.Name, v.Summary)
	}
	return b.String()
}
