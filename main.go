// Command octoha sets up Octopus Deploy Server in High Availability: a
// wizard (or an answers file) in, verified install scripts and load balancer
// configs out. main only parses flags and hands over to the packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/render"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui"
	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/live"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes: 0 done, 1 the answers (or the cluster) have errors, 2 usage.
const (
	exitOK      = 0
	exitInvalid = 1
	exitUsage   = 2
)

const usage = `octoha sets up Octopus Deploy Server in High Availability.

Usage:
  octoha [--answers FILE] [--plain] [--no-color]   open the wizard
  octoha export --answers FILE --out DIR [--force]  write the scripts and configs
  octoha check --answers FILE [--json]              preflight: probe the database, nodes, shares
  octoha --version | --help

Run "octoha COMMAND --help" for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "export":
			return runExport(args[1:], stdout, stderr)
		case "check":
			return runCheck(args[1:], stdout, stderr)
		case "help":
			fmt.Fprint(stdout, usage)
			return exitOK
		}
	}
	return runWizard(args, stdin, stdout, stderr)
}

func runWizard(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("octoha", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	answers := fs.String("answers", "", "answers file to open and save to (default ./octoha-answers.yaml)")
	plain := fs.Bool("plain", false, "ask the questions line by line instead of the full-screen wizard")
	noColor := fs.Bool("no-color", false, "no colour (also when NO_COLOR is set)")
	showVersion := fs.Bool("version", false, "print octoha's version")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	if *showVersion {
		fmt.Fprintln(stdout, "octoha", version)
		return exitOK
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "octoha: unknown command %q\n\n%s", fs.Arg(0), usage)
		return exitUsage
	}
	return tui.Run(tui.Options{
		AnswersPath:  *answers,
		OpenExisting: *answers != "",
		NoColor:      *noColor || os.Getenv("NO_COLOR") != "",
		Plain:        *plain,
		In:           stdin,
		Out:          stdout,
		Err:          stderr,
		Version:      version,
		// Live checks of one field, started when the admin leaves it.
		LiveCheck: func(ctx context.Context, a steps.Answers, field string) validate.Findings {
			return live.RunField(ctx, a, field, liveOptions(live.DefaultTimeout, live.Secrets{}))
		},
	})
}

func runExport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("octoha export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	answers := fs.String("answers", "", "answers file (required)")
	out := fs.String("out", "", "folder to write into (required; created if missing)")
	force := fs.Bool("force", false, "overwrite files that already exist")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: octoha export --answers FILE --out DIR [--force]\n\nChecks the answers and writes every script and config into DIR.\n\n")
		fs.PrintDefaults()
	}
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	if *answers == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	file, err := steps.Load(*answers)
	if err != nil {
		fmt.Fprintln(stderr, "octoha:", err)
		return exitInvalid
	}
	res, err := export.Write(file.Answers, *out, *force)
	printFindings(stderr, file, res.Findings)
	switch {
	case errors.Is(err, export.ErrInvalid):
		fmt.Fprintf(stderr, "octoha: %s has errors; nothing was written\n", file.Path)
		return exitInvalid
	case errors.Is(err, render.ErrExists):
		fmt.Fprintf(stderr, "octoha: %v\noctoha: nothing was written; use --force to overwrite\n", err)
		return exitInvalid
	case err != nil:
		fmt.Fprintln(stderr, "octoha:", err)
		return exitInvalid
	}
	for _, p := range res.Written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	return exitOK
}

// parse parses flags; done is true when the caller should return code
// (--help, or a flag error).
func parse(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return exitOK, true
	case err != nil:
		return exitUsage, true
	}
	return 0, false
}

// printFindings lists problems as file:line: severity: message, the form
// editors and CI logs link to.
func printFindings(w io.Writer, file *steps.File, findings validate.Findings) {
	for _, f := range findings {
		loc := file.Path
		if line := file.Line(f.Field); line > 0 {
			loc = fmt.Sprintf("%s:%d", file.Path, line)
		}
		fmt.Fprintf(w, "%s: %s\n", loc, f)
	}
}
