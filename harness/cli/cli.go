// Package cli runs a command made of verbs, `<command> <verb> [flags]`: it
// prints the usage built from the verb table, dispatches to the verb, and
// turns the verb's error into one line on stderr and an exit status.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

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
// 2 for a missing or unknown verb, the error's ExitStatus when it has one,
// else 1.
func Run(command, invocation string, verbs []Verb, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, Usage(invocation, verbs))
		return 2
	}
	for _, v := range verbs {
		if v.Name != args[0] {
			continue
		}
		err := v.Run(args[1:], stdout)
		if err == nil {
			return 0
		}
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		if se, ok := errors.AsType[StatusError](err); ok {
			return se.ExitStatus()
		}
		return 1
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n%s\n", command, args[0], Usage(invocation, verbs))
	return 2
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
