package steps

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// File is an answers file as loaded: the answers, with defaults filled in,
// and the YAML it came from so a problem can be pointed at by line.
type File struct {
	// Path is where the file was read from, as the admin wrote it.
	Path    string
	Answers Answers
	ast     *ast.File
}

// LoadError is an answers file that cannot be read as answers: bad YAML, an
// unknown field, a value of the wrong type, or another file version.
type LoadError struct {
	Path   string
	Line   int
	Column int
	Msg    string
}

func (e *LoadError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Load reads an answers file. Values left out take their defaults; missing
// required values are not an error here (the wizard resumes half-filled
// files) but are reported by validation. It reads at most MaxFileBytes,
// whatever the file is (/dev/zero, a FIFO).
func Load(path string) (*File, error) {
	in, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the answers file: %w", err)
	}
	defer in.Close()
	data, err := io.ReadAll(io.LimitReader(in, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the answers file: %w", err)
	}
	return Parse(path, data)
}

// Parse reads answers from data; path names the file in messages. Any
// input gives answers or a *LoadError, within the limits in limits.go:
// it never panics and never grows without end.
func Parse(path string, data []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, &LoadError{Path: path, Msg: fmt.Sprintf("the YAML reader failed on this file (%v); check it against examples/", r)}
		}
	}()
	if len(data) > MaxFileBytes {
		return nil, &LoadError{Path: path, Msg: fmt.Sprintf("the file is larger than %d KiB, the most an answers file may be; is it the right file?", MaxFileBytes>>10)}
	}
	data, problem := decodeText(data)
	if problem != "" {
		return nil, &LoadError{Path: path, Msg: problem}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &LoadError{Path: path, Msg: "the file is empty; start from one of the files in examples/"}
	}
	// One parse, checked before and after: the tokens for what an
	// answers file never holds, the tree for unknown fields (in file
	// order), whole numbers and list lengths; the decoder then reads the
	// same tree.
	tokens, at, msg := tokenize(string(data))
	if msg != "" {
		return nil, loadErrorAt(path, at, msg)
	}
	tree, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, loadError(path, err)
	}
	var doc *ast.DocumentNode
	for _, d := range tree.Docs {
		if d.Body == nil {
			continue
		}
		if doc != nil {
			return nil, &LoadError{Path: path, Line: tokenLine(d.Body), Msg: "a second YAML document starts here (after ---); an answers file is one document"}
		}
		doc = d
	}
	if doc == nil {
		return nil, &LoadError{Path: path, Msg: "the file holds no answers, only comments; start from one of the files in examples/"}
	}
	tree.Docs = []*ast.DocumentNode{doc}
	if at := tooDeep(doc.Body, 1); at != nil {
		return nil, loadErrorAt(path, at, tooDeepMsg)
	}
	if at, msg := checkTree(doc.Body, reflect.TypeFor[Answers](), "", 1); msg != "" {
		return nil, loadErrorAt(path, at, msg)
	}
	// Decoding onto the defaults keeps a default wherever the file is
	// silent, true booleans included (encrypt, create, redis.ssl), which a
	// zero value could not tell from an explicit false.
	a := Defaults()
	a.Version = 0 // a file without a version must say so
	dec := yaml.NewDecoder(bytes.NewReader(nil), yaml.DisallowUnknownField())
	if err := dec.DecodeFromNode(doc.Body, &a); err != nil {
		return nil, loadError(path, err)
	}
	f = &File{Path: path, Answers: a, ast: tree}
	if a.Version != FileVersion {
		line := f.Line("version")
		if a.Version == 0 {
			return nil, &LoadError{Path: path, Line: line, Msg: fmt.Sprintf("version is missing; add \"version: %d\" at the top", FileVersion)}
		}
		return nil, &LoadError{Path: path, Line: line, Msg: fmt.Sprintf(
			"this is an answers file of version %d; this octoha reads version %d", a.Version, FileVersion)}
	}
	if problems := TextProblems(a); len(problems) > 0 {
		return nil, &LoadError{Path: path, Line: f.Line(problems[0].Field), Msg: problems[0].Msg}
	}
	f.Answers.fillDefaults()
	return f, nil
}

// loadErrorAt is a LoadError at a token's position.
func loadErrorAt(path string, at *token.Position, msg string) *LoadError {
	le := &LoadError{Path: path, Msg: msg}
	if at != nil {
		le.Line, le.Column = at.Line, at.Column
	}
	return le
}

// loadError turns a go-yaml error into a sentence with a line and column.
func loadError(path string, err error) error {
	var yerr yaml.Error
	if !errors.As(err, &yerr) {
		return &LoadError{Path: path, Msg: err.Error()}
	}
	le := &LoadError{Path: path, Msg: yerr.GetMessage()}
	if tk := yerr.GetToken(); tk != nil && tk.Position != nil {
		le.Line, le.Column = tk.Position.Line, tk.Position.Column
	}
	var typeErr *yaml.TypeError
	var unknown *yaml.UnknownFieldError
	switch {
	case errors.As(err, &typeErr):
		le.Msg = fmt.Sprintf("%s must be %s", typeErrorField(typeErr), kindName(typeErr.DstType))
		if tk := typeErr.Token; tk != nil {
			le.Msg += fmt.Sprintf(", not %q", tk.Value)
		}
	case errors.As(err, &unknown):
		le.Msg = unknown.Message + "; check its spelling and indentation against examples/"
	}
	return le
}

// typeErrorField names the key whose value has the wrong type: the token
// before the value's ':' (go-yaml's own field name is the Go type's).
func typeErrorField(e *yaml.TypeError) string {
	if tk := e.Token; tk != nil {
		for p := tk.Prev; p != nil; p = p.Prev {
			if p.Type == token.MappingValueType {
				continue
			}
			if p.Type == token.StringType {
				return p.Value
			}
			break
		}
	}
	return "this value"
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "text"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a group of fields"
	}
	return "a " + t.String()
}

// Line is the line of the field at a dotted path such as "nodes[1].name",
// or of its nearest parent present in the file; 0 when the file has none
// of it (or the answers did not come from a file).
func (f *File) Line(field string) int {
	if f == nil || f.ast == nil || len(f.ast.Docs) == 0 {
		return 0
	}
	for ; field != ""; field = parentField(field) {
		if line := f.lineOf(field); line > 0 {
			return line
		}
	}
	return 0
}

// lineOf finds the line of a key ("tentacles.mode") or of a list item
// ("nodes[1]"), 0 when it is not in the file.
func (f *File) lineOf(field string) int {
	parent := parentField(field)
	last := strings.TrimPrefix(field[len(parent):], ".")
	if strings.HasPrefix(last, "[") {
		return tokenLine(f.node(field))
	}
	var entries []*ast.MappingValueNode
	switch n := f.node(parent).(type) {
	case *ast.MappingNode:
		entries = n.Values
	case *ast.MappingValueNode:
		entries = []*ast.MappingValueNode{n}
	}
	for _, e := range entries {
		if e.Key != nil && e.Key.GetToken() != nil && e.Key.GetToken().Value == last {
			return tokenLine(e.Key)
		}
	}
	return 0
}

// node is the YAML node at a field path; "" is the document itself.
func (f *File) node(field string) ast.Node {
	if field == "" {
		return f.ast.Docs[0].Body
	}
	p, err := yaml.PathString("$." + field)
	if err != nil {
		return nil
	}
	n, err := p.FilterFile(f.ast)
	if err != nil {
		return nil
	}
	return n
}

func tokenLine(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// parentField drops the last element of a field path: "nodes[1].name" →
// "nodes[1]" → "nodes" → "".
func parentField(field string) string {
	if strings.HasSuffix(field, "]") {
		if i := strings.LastIndexByte(field, '['); i >= 0 {
			return field[:i]
		}
	}
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[:i]
	}
	return ""
}

// headerMark opens every answers file octoha writes; WrittenByOctoha looks
// for it.
const (
	headerMark = "# octoha answers file."
	fileHeader = headerMark + " It holds no secret: the emitted scripts ask for them.\n"
)

// WrittenByOctoha reports whether an answers file's content is one octoha
// wrote (and so may rewrite without losing an admin's comments).
func WrittenByOctoha(data []byte) bool {
	return bytes.HasPrefix(data, []byte(headerMark))
}

// Marshal renders answers as an answers file.
func Marshal(a Answers) ([]byte, error) {
	a.Version = FileVersion
	body, err := yaml.MarshalWithOptions(a, yaml.Indent(2), yaml.IndentSequence(true), yaml.UseSingleQuote(true))
	if err != nil {
		return nil, err
	}
	return append([]byte(fileHeader), body...), nil
}
