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
  octoha add-node --answers FILE --name N --host H --out DIR [--force]
                                                    grow a running cluster by one node
  octoha remove-node --answers FILE --name N --out DIR [--force]
                                                    take one node out of a running cluster
  octoha check --answers FILE [--timeout D] [--json] [--ignore ID,...]
                                                    preflight: probe the database, nodes, shares
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
		case "add-node":
			return runAddNode(args[1:], stdout, stderr)
		case "remove-node":
			return runRemoveNode(args[1:], stdout, stderr)
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
		LiveCheck:    liveCheck,
		ListNodes:    listNodes,
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
	file, ok := loadAnswers(*answers, stderr)
	if !ok {
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
		printWriteError(stderr, err)
		return exitInvalid
	}
	for _, p := range res.Written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	return exitOK
}

func runAddNode(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("octoha add-node", flag.ContinueOnError)
	fs.SetOutput(stderr)
	answers := fs.String("answers", "", "the running cluster's answers file (required)")
	name := fs.String("name", "", "the new node's name, unique in the cluster (required)")
	host := fs.String("host", "", "the new node's host name; it must resolve (required)")
	webPort := fs.Int("web-port", 0, "the new node's web port (default octopus.webPort)")
	commsPort := fs.Int("comms-port", 0, "the new node's comms port (default: the next by the tentacles' polling mode)")
	out := fs.String("out", "", "folder to write the change into (required; created if missing)")
	force := fs.Bool("force", false, "overwrite files that already exist")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: octoha add-node --answers FILE --name N --host H [--web-port P] [--comms-port P] --out DIR [--force]\n\n"+
			"Adds a node to a running cluster and writes its join script, the load balancer file, the polling\n"+
			"tentacle update, the grown answers and a checklist for the change into DIR.\n\n")
		fs.PrintDefaults()
	}
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	if *answers == "" || *name == "" || *host == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	file, ok := loadAnswers(*answers, stderr)
	if !ok {
		return exitInvalid
	}
	res, err := export.AddNode(context.Background(), file.Answers, export.AddNodeOptions{
		Node: steps.Node{Name: *name, Host: *host, WebPort: *webPort, CommsPort: *commsPort},
		Dir:  *out, Force: *force,
	})
	return finishChange(stdout, stderr, file, res, err)
}

func runRemoveNode(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("octoha remove-node", flag.ContinueOnError)
	fs.SetOutput(stderr)
	answers := fs.String("answers", "", "the running cluster's answers file (required)")
	name := fs.String("name", "", "the node to take out (required)")
	out := fs.String("out", "", "folder to write the change into (required; created if missing)")
	force := fs.Bool("force", false, "overwrite files that already exist")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: octoha remove-node --answers FILE --name N --out DIR [--force]\n\n"+
			"Takes a node out of a running cluster and writes its drain script, the load balancer file, the\n"+
			"polling tentacle update, the shrunk answers and a checklist for the change into DIR.\n\n")
		fs.PrintDefaults()
	}
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	if *answers == "" || *name == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	file, ok := loadAnswers(*answers, stderr)
	if !ok {
		return exitInvalid
	}
	res, err := export.RemoveNode(file.Answers, *name, *out, *force)
	// The findings are about the shrunk answers, whose node positions no
	// longer match the file's lines.
	return finishChange(stdout, stderr, &steps.File{Path: file.Path}, res, err)
}

// finishChange reports what add-node or remove-node did.
func finishChange(stdout, stderr io.Writer, file *steps.File, res export.Result, err error) int {
	printFindings(stderr, file, res.Findings)
	switch {
	case errors.Is(err, export.ErrInvalid):
		fmt.Fprintf(stderr, "octoha: the changed cluster has errors; nothing was written\n")
		return exitInvalid
	case errors.Is(err, render.ErrExists):
		fmt.Fprintf(stderr, "octoha: %v\noctoha: nothing was written; use --force to overwrite\n", err)
		return exitInvalid
	case err != nil:
		printWriteError(stderr, err)
		return exitInvalid
	}
	for _, p := range res.Written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	return exitOK
}

// printWriteError reports a failed export, add-node or remove-node. A
// render.WriteError says itself what became of the folder; any other error
// came before the first file.
func printWriteError(stderr io.Writer, err error) {
	fmt.Fprintln(stderr, "octoha:", err)
	var werr *render.WriteError
	if !errors.As(err, &werr) {
		fmt.Fprintln(stderr, "octoha: nothing was written")
	}
}

// loadAnswers loads an answers file, saying why on stderr when it cannot.
func loadAnswers(path string, stderr io.Writer) (*steps.File, bool) {
	file, err := steps.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, "octoha:", err)
		return nil, false
	}
	return file, true
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
