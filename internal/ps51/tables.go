package ps51

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Tables are what the checks hold scripts to, each read from a file that
// says where its rows come from (testdata/README.md).
type Tables struct {
	// Commands are Windows PowerShell 5.1's commands, by lower-case name.
	Commands map[string]*Command
	// Common are 5.1's common parameters, by lower-case name.
	Common map[string]Param
	// Enums are the values of each enum type a parameter takes, and of
	// "Command -Parameter" string parameters with a fixed set of values,
	// by lower-case name; Plain are parameter types with no such set.
	Enums map[string][]string
	Plain map[string]bool
	// Types are the .NET types scripts may name, by lower-case name as
	// written ([string], [System.IO.Path], [Parameter]).
	Types map[string]*DotNetType
	// Members are every allowed member by lower-case member name, for a
	// receiver whose type the check cannot tell.
	Members map[string][]*Member
	// Automatic are the variables every 5.1 session defines, by lower-case
	// name.
	Automatic map[string]bool
}

// Command is one command of the 5.1 table.
type Command struct {
	Name, Module, Kind string
	Sets               []ParamSet
}

// ParamSet is one parameter set, as Get-Command -Syntax prints it.
type ParamSet struct {
	Params []Param
	// Common says the set takes the common parameters.
	Common bool
}

// Param is one parameter of a set.
type Param struct {
	Name       string
	Type       string // "" for a switch
	Positional bool
	Mandatory  bool
}

// DotNetType is one allowed type; Alias is the full name a type
// accelerator or a short name stands for.
type DotNetType struct {
	Name      string
	Alias     string
	Reference string
	Members   map[string]*Member
}

// Member is one allowed member of a type: Returns is the member's type
// when a check may follow it (a.b.c), "" otherwise.
type Member struct {
	Type, Name, Returns, Reference string
}

// LoadTables reads the tables from dir (this package's testdata).
func LoadTables(dir string) (*Tables, error) {
	t := &Tables{Commands: map[string]*Command{}, Common: map[string]Param{}, Enums: map[string][]string{}, Plain: map[string]bool{},
		Types: map[string]*DotNetType{}, Members: map[string][]*Member{}, Automatic: map[string]bool{}}
	if err := t.loadCommands(filepath.Join(dir, "commands-5.1.txt")); err != nil {
		return nil, err
	}
	for _, load := range []struct {
		file string
		row  func(fields []string) error
	}{
		{"common-parameters-5.1.txt", t.commonRow},
		{"enums-5.1.txt", t.enumRow},
		{"dotnet-4.5.txt", t.dotnetRow},
		{"automatic-variables-5.1.txt", t.automaticRow},
	} {
		if err := readRows(filepath.Join(dir, load.file), load.row); err != nil {
			return nil, err
		}
	}
	for _, ty := range t.Types {
		if ty.Alias == "" {
			continue
		}
		target := t.Types[strings.ToLower(ty.Alias)]
		if target == nil {
			return nil, fmt.Errorf("dotnet-4.5.txt: %s stands for %s, which has no type row", ty.Name, ty.Alias)
		}
		ty.Members = target.Members
	}
	return t, nil
}

// readRows calls row with the fields of every line of path that is not
// blank or a # comment.
func readRows(path string, row func(fields []string) error) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := row(strings.Fields(line)); err != nil {
			return fmt.Errorf("%s:%d: %w", filepath.Base(path), n, err)
		}
	}
	return s.Err()
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://")
}

// commonRow: name type reference.
func (t *Tables) commonRow(f []string) error {
	if len(f) != 3 || !isURL(f[2]) {
		return fmt.Errorf("want: name type reference")
	}
	typ := f[1]
	if typ == "switch" {
		typ = ""
	}
	t.Common[strings.ToLower(f[0])] = Param{Name: f[0], Type: typ}
	return nil
}

// enumRow: "enum Type v1,v2 reference", "values Command -Param v1,v2
// reference" or "plain Type reference".
func (t *Tables) enumRow(f []string) error {
	switch {
	case len(f) == 4 && f[0] == "enum" && isURL(f[3]):
		t.Enums[strings.ToLower(f[1])] = strings.Split(f[2], ",")
	case len(f) == 5 && f[0] == "values" && strings.HasPrefix(f[2], "-") && isURL(f[4]):
		t.Enums[strings.ToLower(f[1]+" "+f[2])] = strings.Split(f[3], ",")
	case len(f) == 3 && f[0] == "plain" && isURL(f[2]):
		t.Plain[strings.ToLower(f[1])] = true
	default:
		return fmt.Errorf("want: enum Type v1,v2 reference | values Command -Param v1,v2 reference | plain Type reference")
	}
	return nil
}

// dotnetRow: "type Name reference", "alias Name FullName reference" or
// "member Type Name Returns reference" (Returns is - when not followed).
func (t *Tables) dotnetRow(f []string) error {
	switch {
	case len(f) == 3 && f[0] == "type" && isURL(f[2]):
		t.Types[strings.ToLower(f[1])] = &DotNetType{Name: f[1], Reference: f[2], Members: map[string]*Member{}}
	case len(f) == 4 && f[0] == "alias" && isURL(f[3]):
		t.Types[strings.ToLower(f[1])] = &DotNetType{Name: f[1], Alias: f[2], Reference: f[3]}
	case len(f) == 5 && f[0] == "member" && isURL(f[4]):
		ty := t.Types[strings.ToLower(f[1])]
		if ty == nil || ty.Alias != "" {
			return fmt.Errorf("member of %s before its type row", f[1])
		}
		m := &Member{Type: ty.Name, Name: f[2], Returns: f[3], Reference: f[4]}
		if m.Returns == "-" {
			m.Returns = ""
		}
		ty.Members[strings.ToLower(m.Name)] = m
		t.Members[strings.ToLower(m.Name)] = append(t.Members[strings.ToLower(m.Name)], m)
	default:
		return fmt.Errorf("want: type Name reference | alias Name FullName reference | member Type Name Returns reference")
	}
	return nil
}

// automaticRow: name reference.
func (t *Tables) automaticRow(f []string) error {
	if len(f) != 2 || !isURL(f[1]) {
		return fmt.Errorf("want: name reference")
	}
	t.Automatic[strings.ToLower(strings.TrimPrefix(f[0], "$"))] = true
	return nil
}

// commands-5.1.txt holds, for each command the scripts use, its module,
// kind and parameter sets as Get-Command -Syntax prints them on Windows
// PowerShell 5.1.14393.206 (read from PSScriptAnalyzer's dump of it), one
// tab-separated row a command.
func (t *Tables) loadCommands(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for n, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return fmt.Errorf("%s:%d: want name, module, kind and parameter sets, tab-separated", filepath.Base(path), n+1)
		}
		sets, err := ParseSyntax(f[3])
		if err != nil {
			return fmt.Errorf("%s:%d: %s: %w", filepath.Base(path), n+1, f[0], err)
		}
		t.Commands[strings.ToLower(f[0])] = &Command{Name: f[0], Module: f[1], Kind: f[2], Sets: sets}
	}
	return nil
}

// One element of Get-Command -Syntax: [[-Name] <type>], [-Name] <type>,
// [-Name <type>], -Name <type>, [-Switch], -Switch, [<CommonParameters>].
var syntaxElement = regexp.MustCompile(`^(?:` +
	`\[\[-(?P<optpos>[\w-]+)\] <(?P<optpostype>[^>]+)>\]` +
	`|\[-(?P<pos>[\w-]+)\] <(?P<postype>[^>]+)>` +
	`|\[-(?P<opt>[\w-]+) <(?P<opttype>[^>]+)>\]` +
	`|-(?P<req>[\w-]+) <(?P<reqtype>[^>]+)>` +
	`|\[-(?P<optswitch>[\w-]+)\]` +
	`|-(?P<reqswitch>[\w-]+)` +
	`|(?P<common>\[<CommonParameters>\])` +
	`)(?:\s+|$)`)

// ParseSyntax reads the parameter sets of one command's syntax text; a
// set ends at [<CommonParameters>], or at the end for a command without
// them.
func ParseSyntax(text string) ([]ParamSet, error) {
	var sets []ParamSet
	cur := ParamSet{}
	open := false
	rest := strings.TrimSpace(text)
	names := syntaxElement.SubexpNames()
	for rest != "" {
		m := syntaxElement.FindStringSubmatchIndex(rest)
		if m == nil {
			return nil, fmt.Errorf("cannot read the syntax at %q", rest[:min(len(rest), 40)])
		}
		group := map[string]string{}
		for i, name := range names {
			if name != "" && m[2*i] >= 0 {
				group[name] = rest[m[2*i]:m[2*i+1]]
			}
		}
		rest = rest[m[1]:]
		var p Param
		switch {
		case group["common"] != "":
			cur.Common = true
			sets = append(sets, cur)
			cur, open = ParamSet{}, false
			continue
		case group["optpos"] != "":
			p = Param{Name: group["optpos"], Type: group["optpostype"], Positional: true}
		case group["pos"] != "":
			p = Param{Name: group["pos"], Type: group["postype"], Positional: true, Mandatory: true}
		case group["opt"] != "":
			p = Param{Name: group["opt"], Type: group["opttype"]}
		case group["req"] != "":
			p = Param{Name: group["req"], Type: group["reqtype"], Mandatory: true}
		case group["optswitch"] != "":
			p = Param{Name: group["optswitch"]}
		case group["reqswitch"] != "":
			p = Param{Name: group["reqswitch"], Mandatory: true}
		}
		// A name seen twice starts the next set of a command without
		// common parameters.
		for _, q := range cur.Params {
			if strings.EqualFold(q.Name, p.Name) {
				sets = append(sets, cur)
				cur = ParamSet{}
				break
			}
		}
		cur.Params = append(cur.Params, p)
		open = true
	}
	if open {
		sets = append(sets, cur)
	}
	return sets, nil
}

// Find is the parameter of set named name (case-insensitive), or nil.
func (s ParamSet) Find(name string) *Param {
	for i := range s.Params {
		if strings.EqualFold(s.Params[i].Name, name) {
			return &s.Params[i]
		}
	}
	return nil
}
