package steps

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/scanner"
	"github.com/goccy/go-yaml/token"
)

// What an answers file may be. An answers file is a few kilobytes of plain
// YAML; these limits refuse, fast and with a sentence, anything built to
// make the reader run out of memory or time.
const (
	// MaxFileBytes is the most the loader reads of any file, /dev/zero and
	// a FIFO included. A 100-node answers file is about 10 KiB.
	MaxFileBytes = 64 << 10
	// MaxTokens is the most YAML tokens (keys, values, brackets) a file
	// may hold: about 6 MB of them.
	MaxTokens = 20000
	// MaxDepth is how deep mappings and lists may nest; the answers
	// themselves go three levels deep.
	MaxDepth = 8
	// MaxNodes is the most Octopus Server nodes the answers may list.
	MaxNodes = 100
	// MaxListItems is the most items any other list may hold.
	MaxListItems = 1000
	// MaxValueLength is the most characters one value may hold.
	MaxValueLength = 1024
)

// tooDeepMsg refuses nesting past MaxDepth.
var tooDeepMsg = fmt.Sprintf("lists and groups nest deeper than %d levels, which no answers file does", MaxDepth)

// decodeText turns a file's bytes into UTF-8: a UTF-8 byte order mark
// (Notepad) is dropped, UTF-16 with a byte order mark (Windows PowerShell
// 5.1's Out-File) is converted, and anything else that is not UTF-8 is
// refused.
func decodeText(data []byte) ([]byte, string) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		body := data[2:]
		if len(body)%2 != 0 {
			return nil, "the file is UTF-16 with an odd number of bytes, so it is cut short; save it again as UTF-8"
		}
		units := make([]uint16, len(body)/2)
		for i := range units {
			if data[0] == 0xFF {
				units[i] = uint16(body[2*i]) | uint16(body[2*i+1])<<8
			} else {
				units[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
			}
		}
		data = []byte(string(utf16.Decode(units)))
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, fmt.Sprintf("the file holds a NUL byte (at byte %d): it is not UTF-8 text (UTF-16 without a byte order mark?); save it as UTF-8", i)
	}
	if !utf8.Valid(data) {
		return nil, "the file is not UTF-8 text; save it as UTF-8"
	}
	return data, ""
}

// tokenize reads the file's tokens one scan at a time and stops at the
// first that an answers file never holds and a hostile one uses: anchors
// and aliases (an alias bomb expands a few hundred bytes into gigabytes),
// tags (`nodes: !x` crashed the YAML decoder), flow nesting deeper than
// MaxDepth, an over-long value, or more than MaxTokens tokens in all. So
// it stops at the tenth `[` of a file of a hundred thousand, and its
// memory is bounded whatever the file.
func tokenize(src string) (token.Tokens, *token.Position, string) {
	var s scanner.Scanner
	s.Init(src)
	var tokens token.Tokens
	depth := 0
	for {
		batch, err := s.Scan()
		if err == io.EOF {
			return tokens, nil, ""
		}
		for _, tk := range batch {
			switch tk.Type {
			case token.AnchorType, token.AliasType:
				return nil, tk.Position, "YAML anchors and aliases (&name, *name) are not allowed in an answers file; write each value out"
			case token.TagType:
				return nil, tk.Position, fmt.Sprintf("YAML tags such as %q are not allowed in an answers file; write the value alone", tk.Value)
			case token.SequenceStartType, token.MappingStartType:
				if depth++; depth > MaxDepth {
					return nil, tk.Position, tooDeepMsg
				}
			case token.SequenceEndType, token.MappingEndType:
				depth--
			}
			if utf8.RuneCountInString(tk.Value) > MaxValueLength {
				return nil, tk.Position, fmt.Sprintf("a value is longer than %d characters, the most an answer may hold", MaxValueLength)
			}
		}
		tokens.Add(batch...)
		if len(tokens) > MaxTokens {
			return nil, tokens[len(tokens)-1].Position, fmt.Sprintf("the file holds more than %d YAML tokens, far more than any answers file", MaxTokens)
		}
	}
}

// tooDeep is the position of the first node nested deeper than MaxDepth,
// or nil. The tokens bound flow nesting before the parse; block nesting is
// bounded by the file's size (each level needs its own, longer indent)
// and checked here.
func tooDeep(n ast.Node, depth int) *token.Position {
	var children []ast.Node
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, v := range n.Values {
			children = append(children, v.Value)
		}
	case *ast.MappingValueNode:
		children = []ast.Node{n.Value}
	case *ast.SequenceNode:
		children = n.Values
	default:
		return nil
	}
	if depth > MaxDepth {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			return tk.Position
		}
		return &token.Position{}
	}
	for _, c := range children {
		if at := tooDeep(c, depth+1); at != nil {
			return at
		}
	}
	return nil
}

// wholeNumber is how an integer answer must be written: decimal digits,
// so that 80.9, 80_0, 1e3 and 0x50 are errors instead of 80, 800, 1000
// and 80.
var wholeNumber = regexp.MustCompile(`^[+-]?[0-9]+$`)

// checkTree walks the parsed file beside the answers' type, in file
// order: the first unknown field is the one reported, every time; integer
// answers must be written as whole numbers; nesting and lists are
// bounded.
func checkTree(n ast.Node, t reflect.Type, field string, depth int) (*token.Position, string) {
	if n == nil {
		return nil, ""
	}
	var line *token.Position
	if tk := n.GetToken(); tk != nil {
		line = tk.Position
	}
	if depth > MaxDepth {
		return line, tooDeepMsg
	}
	switch t.Kind() {
	case reflect.Struct:
		var entries []*ast.MappingValueNode
		switch m := n.(type) {
		case *ast.MappingNode:
			entries = m.Values
		case *ast.MappingValueNode:
			entries = []*ast.MappingValueNode{m}
		default:
			return nil, "" // the decoder names the wrong type
		}
		for _, e := range entries {
			if e.Key == nil || e.Key.GetToken() == nil {
				continue
			}
			key := e.Key.GetToken().Value
			f, ok := fieldByYAMLName(t, key)
			if !ok {
				return e.Key.GetToken().Position, fmt.Sprintf("unknown field %q%s; check its spelling and indentation against examples/", key, under(field))
			}
			if l, msg := checkTree(e.Value, f.Type, join(field, key), depth+1); msg != "" {
				return l, msg
			}
		}
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			return nil, ""
		}
		limit, what := MaxListItems, "items"
		if field == "nodes" {
			limit, what = MaxNodes, "nodes"
		}
		if len(seq.Values) > limit {
			return line, fmt.Sprintf("%s lists %d %s; octoha takes at most %d", field, len(seq.Values), what, limit)
		}
		for i, v := range seq.Values {
			if l, msg := checkTree(v, t.Elem(), fmt.Sprintf("%s[%d]", field, i), depth+1); msg != "" {
				return l, msg
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, null := n.(*ast.NullNode); null {
			return nil, ""
		}
		if tk := n.GetToken(); tk != nil && !wholeNumber.MatchString(tk.Value) {
			return line, fmt.Sprintf("%s must be a whole number, not %q", field, tk.Value)
		}
	}
	return nil, ""
}

func under(field string) string {
	if field == "" {
		return ""
	}
	return " under " + field
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// fieldByYAMLName is the struct field whose yaml tag names key.
func fieldByYAMLName(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// TextProblem is an answer that is not one line of plain text.
type TextProblem struct {
	// Field is the answer's path, such as "nodes[1].name".
	Field string
	Msg   string
}

// TextProblems lists every answer that holds a control character (C0,
// DEL, C1, or a Unicode line or paragraph separator). Every answer is one
// line of plain text; a line break would add a line to a script or the
// checklist, and an escape sequence would reach the terminal.
//
// The wizard runs it on every keystroke, so the walk builds a field's
// path only for an answer with a problem.
func TextProblems(a Answers) []TextProblem {
	var out []TextProblem
	path := make([]byte, 0, 64)
	eachString(reflect.ValueOf(a), path, func(field []byte, s string) {
		for _, r := range s {
			if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == '\u2028' || r == '\u2029' {
				out = append(out, TextProblem{string(field), fmt.Sprintf("%s holds the control character U+%04X; an answer is one line of plain text", field, r)})
				return
			}
		}
	})
	return out
}

// eachString calls visit for every string in v, with its field path
// (path, which visit must not keep).
func eachString(v reflect.Value, path []byte, visit func(field []byte, s string)) {
	switch v.Kind() {
	case reflect.String:
		visit(path, v.String())
	case reflect.Struct:
		for _, f := range yamlFieldsOf(v.Type()) {
			p := path
			if len(p) > 0 {
				p = append(p, '.')
			}
			eachString(v.Field(f.index), append(p, f.name...), visit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			p := append(path, '[')
			p = strconv.AppendInt(p, int64(i), 10)
			eachString(v.Index(i), append(p, ']'), visit)
		}
	}
}

// yamlField is an exported struct field with a yaml name: its index and
// that name.
type yamlField struct {
	index int
	name  string
}

// yamlFields are the struct types' yamlFields, worked out once per type.
var yamlFields sync.Map // reflect.Type -> []yamlField

func yamlFieldsOf(t reflect.Type) []yamlField {
	if fs, ok := yamlFields.Load(t); ok {
		return fs.([]yamlField)
	}
	var fs []yamlField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fs = append(fs, yamlField{i, name})
	}
	yamlFields.Store(t, fs)
	return fs
}
