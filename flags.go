package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/octoha/octoha/validate"
)

// flagSet is one command's flags. It parses without printing: a --help or
// a wrong flag comes back as an error that exitCode prints once, on stdout
// for help and on stderr for a mistake, and the usage shows every flag in
// the double-dash form the synopsis uses.
type flagSet struct {
	fs       *flag.FlagSet
	synopsis string
	about    string
	// required are the flags the command cannot run without.
	required []string
	// unexpected is the message for a word that is not a flag, with %q
	// for the word.
	unexpected string
}

func newFlagSet(synopsis, about string) *flagSet {
	fs := flag.NewFlagSet(synopsis, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flagSet{fs: fs, synopsis: synopsis, about: about, unexpected: "unexpected argument %q"}
}

// parse reads args into the flags, and checks that every required flag is
// there and nothing else is.
func (f *flagSet) parse(args []string) error {
	err := f.fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return &helpRequest{usage: f.usage()}
	case err != nil:
		return f.usageError(doubleDash(err.Error()))
	case f.fs.NArg() > 0:
		return f.usageError(fmt.Sprintf(f.unexpected, f.fs.Arg(0)))
	}
	var missing []string
	for _, name := range f.required {
		if f.fs.Lookup(name).Value.String() == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		return f.usageError("missing " + strings.Join(missing, " and "))
	}
	return nil
}

func (f *flagSet) usageError(msg string) error {
	return &usageError{msg: msg, usage: f.usage()}
}

// usage is the synopsis, what the command does, its flags and the exit
// codes.
func (f *flagSet) usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s\n\n%s\n\nFlags:\n", f.synopsis, f.about)
	f.fs.VisitAll(func(fl *flag.Flag) {
		value, usage := flag.UnquoteUsage(fl)
		b.WriteString("  --" + fl.Name)
		if value != "" {
			b.WriteString(" " + value)
		}
		b.WriteString("\n      " + usage)
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
			fmt.Fprintf(&b, " (default %s)", fl.DefValue)
		}
		b.WriteString("\n")
	})
	b.WriteString("\n" + exitCodes)
	return b.String()
}

// singleDash is a flag the flag package names with one dash in its errors
// ("flag provided but not defined: -bogus").
var singleDash = regexp.MustCompile(`(: |flag |for )-([A-Za-z])`)

// doubleDash is a flag package error with its flags as the usage spells
// them.
func doubleDash(msg string) string { return singleDash.ReplaceAllString(msg, "${1}--${2}") }

// ignoreUsage is the --ignore flag's help, the same for every command.
const ignoreUsage = "finding `ID,...` (comma-separated) whose errors become warnings that no longer stop the command"

// ignoreList is --ignore ID,...: repeated flags add up, and an ID no check
// reports is refused, so a typo does not silently ignore nothing.
type ignoreList []string

func (l *ignoreList) String() string { return strings.Join(*l, ",") }

func (l *ignoreList) Set(s string) error {
	for _, id := range strings.Split(s, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !validate.KnownID(id) {
			return unknownID(id)
		}
		*l = append(*l, id)
	}
	return nil
}

func unknownID(id string) error {
	if similar := validate.SimilarIDs(id); len(similar) > 0 {
		return fmt.Errorf("no check reports the ID %q; the IDs that begin the same are %s", id, strings.Join(similar, ", "))
	}
	return fmt.Errorf("no check reports the ID %q; each error names its ID, and octoha check --json lists them", id)
}
