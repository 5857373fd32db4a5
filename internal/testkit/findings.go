package testkit

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The matchers take any finding type F with the fields ID, Field, Severity,
// Message and Fix (validate.Finding) and read them by name, because testkit
// must not import the checks (internal/archtest): a test passes its
// validate.Findings and gets validate.Finding values back.

// Find is the first finding with the ID and severity whose message and fix
// together hold every word. It fails the test (and goes on) when none does.
func Find[F any](t testing.TB, fs []F, id string, sev any, words ...string) F {
	t.Helper()
	for _, f := range fs {
		if str(f, "ID") == id && get(f, "Severity") == sev && hasWords(f, words) {
			return f
		}
	}
	t.Errorf("no %s %v finding with %q in %v", id, sev, words, fs)
	var zero F
	return zero
}

// One is the one finding with the ID, which must have the severity. It
// stops the test when there is none, more than one, or another severity.
func One[F any](t testing.TB, fs []F, id string, sev any) F {
	t.Helper()
	var got []F
	for _, f := range fs {
		if str(f, "ID") == id {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("want one %s finding, got %d in:\n%s", id, len(got), Dump(fs))
	}
	if get(got[0], "Severity") != sev {
		t.Fatalf("%s: want %v, got %v", id, sev, got[0])
	}
	return got[0]
}

// None fails the test when a finding has the ID.
func None[F any](t testing.TB, fs []F, id string) {
	t.Helper()
	for _, f := range fs {
		if str(f, "ID") == id {
			t.Fatalf("want no %s finding, got %v", id, f)
		}
	}
}

// Only is the single finding of fs; it stops the test when fs holds
// another number.
func Only[F any](t testing.TB, fs []F) F {
	t.Helper()
	if len(fs) != 1 {
		t.Fatalf("want 1 finding, got %d: %v", len(fs), fs)
	}
	return fs[0]
}

// Is checks that f has the ID and severity and that its message and fix
// together hold every word, logging f.
func Is[F any](t testing.TB, f F, id string, sev any, words ...string) {
	t.Helper()
	t.Log(f)
	if str(f, "ID") != id || get(f, "Severity") != sev {
		t.Errorf("got %s %v (%v), want %s %v", str(f, "ID"), get(f, "Severity"), f, id, sev)
	}
	text := text(f)
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("finding %q lacks %q", text, w)
		}
	}
}

// Has reports whether a finding has the severity, the answers field and a
// message holding text.
func Has[F any](fs []F, sev any, field, text string) bool {
	for _, f := range fs {
		if str(f, "Field") == field && get(f, "Severity") == sev && strings.Contains(str(f, "Message"), text) {
			return true
		}
	}
	return false
}

// LogAll logs every finding, one a line.
func LogAll[F any](t testing.TB, fs []F) {
	t.Helper()
	for _, f := range fs {
		t.Log(f)
	}
}

// Dump is every finding as "  ID finding", one a line.
func Dump[F any](fs []F) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %v\n", str(f, "ID"), f)
	}
	return b.String()
}

func hasWords[F any](f F, words []string) bool {
	text := text(f)
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// text is a finding's message and fix, as the word matchers read them.
func text[F any](f F) string { return str(f, "Message") + " " + str(f, "Fix") }

func str[F any](f F, name string) string {
	s, _ := get(f, name).(string)
	return s
}

// get is the field of f with the name; a type without it is a test's bug.
func get[F any](f F, name string) any {
	v := reflect.ValueOf(f).FieldByName(name)
	if !v.IsValid() {
		panic(fmt.Sprintf("testkit: %T has no field %s", f, name))
	}
	return v.Interface()
}
