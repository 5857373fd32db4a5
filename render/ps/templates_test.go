package ps

import (
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/tmplcheck"
)

// TestEveryPrintedValueIsQuoted walks every template's parse tree: an
// action that prints must end in one of the quoting functions, so no raw
// value can reach a script. tmplcheck's own test proves the walk catches a
// raw action.
func TestEveryPrintedValueIsQuoted(t *testing.T) {
	checked, unquoted := tmplcheck.Check(quotingFuncs, templates().Templates()...)
	for _, u := range unquoted {
		t.Errorf("%s prints a value without a quoting function (%s)", u, strings.Join(quotingNames(), ", "))
	}
	if checked < 50 {
		t.Fatalf("only %d printing actions found; the walk is broken", checked)
	}
}

func quotingNames() []string {
	var names []string
	for name := range quotingFuncs {
		names = append(names, name)
	}
	return names
}
