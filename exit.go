package main

import (
	"errors"
	"fmt"

	"github.com/octoha/octoha/export"
)

// Exit codes, documented in README.md and in the usage.
const (
	// exitOK: done.
	exitOK = 0
	// exitInvalid: the answers or the cluster have errors, or a file could
	// not be read or written; nothing was written.
	exitInvalid = 1
	// exitUsage: the command line is wrong; the usage is on stderr.
	exitUsage = 2
	// exitExists: files are already in the output folder; nothing was
	// written, and --force overwrites them.
	exitExists = 3
)

// exitCodes is the table the usage prints.
const exitCodes = `Exit codes:
  0  done
  1  the answers or the cluster have errors, or a file could not be read or
     written; nothing was written
  2  usage: a flag is wrong or missing (upgrade: --to is not newer than the
     version the answers name)
  3  files already exist in the output folder; nothing was written (--force
     overwrites them)
`

// The errors a command's run function returns, each telling exitCode what
// the command line should do.

// usageError is a command line that cannot run: exitCode prints the
// sentence and the command's usage on stderr.
type usageError struct {
	msg   string
	usage string
}

func (e *usageError) Error() string { return e.msg }

// flagRefused is a flag whose value parses but that the command refuses
// for what the answers say (upgrade --to a version that is not newer):
// exitCode prints the flag and the sentence, without the whole usage.
type flagRefused struct {
	flag string
	msg  string
}

func (e *flagRefused) Error() string { return e.flag + ": " + e.msg }

// helpRequest is -h or --help: the usage goes to stdout.
type helpRequest struct{ usage string }

func (e *helpRequest) Error() string { return "help requested" }

// errReported is a failure the command has already explained on its
// streams (check's report, the wizard's own message).
var errReported = errors.New("reported")

// errReportedUsage is errReported for a wrong command line.
var errReportedUsage = errors.New("reported usage error")

// invalidAnswers is export.ErrInvalid for the answers a command read.
type invalidAnswers struct{ what string }

func (e invalidAnswers) Error() string { return e.what + " has errors; nothing was written" }
func (e invalidAnswers) Unwrap() error { return export.ErrInvalid }

// exitCode says what err means on s and returns the exit code for it: the
// one place errors become exit codes.
func exitCode(s *streams, err error) int {
	var usage *usageError
	var help *helpRequest
	var refused *flagRefused
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &help):
		fmt.Fprint(s.Out, help.usage)
		return exitOK
	case errors.As(err, &usage):
		fmt.Fprintf(s.Err, "octoha: %s\n\n%s", usage.msg, usage.usage)
		return exitUsage
	case errors.As(err, &refused):
		fmt.Fprintf(s.Err, "octoha: %s\n", refused)
		return exitUsage
	case errors.Is(err, errReportedUsage):
		return exitUsage
	case errors.Is(err, errReported):
		return exitInvalid
	case errors.Is(err, export.ErrExists):
		fmt.Fprintf(s.Err, "octoha: %v\noctoha: nothing was written; use --force to overwrite\n", err)
		return exitExists
	}
	fmt.Fprintln(s.Err, "octoha:", err)
	return exitInvalid
}
