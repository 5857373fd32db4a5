// Command octoha sets up Octopus Deploy Server in High Availability: a
// wizard (or an answers file) in, verified install scripts and load balancer
// configs out. Each command has its own file with an options struct, a
// parse function (arguments to options) and a run function (options to
// output); exit.go turns what they return into exit codes.
package main

import (
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// overview is what `octoha --help` says before the wizard's flags.
const overview = `octoha sets up Octopus Deploy Server in High Availability.

Commands:
  octoha [--answers FILE] [--plain] [--no-color]   open the wizard
  octoha export --answers FILE --out DIR [--force] [--ignore ID,...]
                                                    write the scripts and configs
  octoha add-node --answers FILE --name N --host H --out DIR [--force] [--ignore ID,...]
                                                    grow a running cluster by one node
  octoha remove-node --answers FILE --name N --out DIR [--force] [--ignore ID,...]
                                                    take one node out of a running cluster
  octoha check --answers FILE [--timeout D] [--json] [--ignore ID,...] [--stale-after D] [--node-limit N]
                                                    probe the cluster: database, nodes, shares, ports
  octoha upgrade --answers FILE --to VERSION --out DIR [--force] [--ignore ID,...]
                                                    the runbook for upgrading every node
  octoha --version | --help

Run "octoha COMMAND --help" for a command's flags.`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command args name on the given streams and returns its exit
// code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := newStreams(stdin, stdout, stderr, os.Getenv)
	return exitCode(s, dispatch(s, args))
}

// commands are octoha's commands by name; any other first argument is the
// wizard's.
var commands = map[string]func(*streams, []string) error{
	"export":      command(parseExport, runExport),
	"add-node":    command(parseAddNode, runAddNode),
	"remove-node": command(parseRemoveNode, runRemoveNode),
	"check":       command(parseCheck, runCheck),
	"upgrade":     command(parseUpgrade, runUpgrade),
}

func dispatch(s *streams, args []string) error {
	if len(args) > 0 {
		if cmd, ok := commands[args[0]]; ok {
			return cmd(s, args[1:])
		}
		if args[0] == "help" {
			args = []string{"--help"}
		}
	}
	return command(parseWizard, runWizard)(s, args)
}

// command is a parse function and a run function as one command.
func command[O any](parse func([]string) (O, error), run func(*streams, O) error) func(*streams, []string) error {
	return func(s *streams, args []string) error {
		o, err := parse(args)
		if err != nil {
			return err
		}
		return run(s, o)
	}
}
