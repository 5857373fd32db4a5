package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// locator says where the admin gave a finding's field: FILE:LINE for a
// field of the answers file, the flag for a value from the command line.
type locator func(field string) string

// fileLocator places a field at its line in file, or at the file when the
// field is not in it.
func fileLocator(file *steps.File) locator {
	return func(field string) string {
		if line := file.Line(field); line > 0 {
			return fmt.Sprintf("%s:%d", file.Path, line)
		}
		return file.Path
	}
}

// newNodeFlags are the add-node flags that give node i's fields.
func newNodeFlags(i int) map[string]string {
	f := steps.NodeField(i)
	return map[string]string{f.Node: "--name", f.Name: "--name", f.Host: "--host", f.WebPort: "--web-port", f.CommsPort: "--comms-port"}
}

// newNodeLocator places the fields of the node add-node adds, nodes[index],
// at the flags that gave them: they are not in the file, whose nearest
// line would be `nodes:`.
func newNodeLocator(file *steps.File, index int) locator {
	flags := newNodeFlags(index)
	inFile := fileLocator(file)
	return func(field string) string {
		if flag, ok := flags[field]; ok {
			return flag
		}
		return inFile(field)
	}
}

// printFindings lists problems as LOCATION: severity: message, the form
// editors and CI logs link to; each error names the --ignore that would
// let the command go on, and a finding that cites a page has it on the
// line below.
func printFindings(w io.Writer, where locator, findings validate.Findings) {
	for _, f := range findings {
		fmt.Fprintf(w, "%s: %s", where(f.Field), f)
		if f.Severity == validate.Error && f.ID != "" {
			fmt.Fprintf(w, " (--ignore %s writes anyway)", f.ID)
		}
		fmt.Fprintln(w)
		if f.Docs != "" {
			fmt.Fprintf(w, "  see %s\n", f.Docs)
		}
	}
}

// reportWrite is how export, add-node and remove-node end: the findings on
// stderr, then the paths written on stdout, or the error that says why
// nothing was. what names the answers checked in that error.
func reportWrite(s *streams, where locator, res export.Result, err error, what string) error {
	printFindings(s.Err, where, res.Findings)
	var werr *export.WriteError
	switch {
	case errors.Is(err, export.ErrInvalid):
		return invalidAnswers{what: what}
	case errors.Is(err, export.ErrExists), errors.As(err, &werr):
		// A WriteError says itself what became of the folder.
		return err
	case err != nil:
		return fmt.Errorf("%w; nothing was written", err)
	}
	for _, p := range res.Written {
		fmt.Fprintln(s.Out, "wrote", p)
	}
	return nil
}
