package ps

import (
	"embed"
	"fmt"
	"strings"
)

// The emitted scripts are real PowerShell files under scripts/, which an
// editor, the grammar and a linter read as they are. Go changes them in
// four ways, each marked by a line PowerShell itself reads as a comment:
//
//   - "# octoha:values" becomes the values block: the assignments, from the
//     answers, that the body reads (values.block).
//   - "# octoha:common NAME" becomes the block NAME of common.ps1, the
//     helpers several scripts share.
//   - "# octoha:lines NAME" becomes lines Go builds, one per node or folder.
//   - "#region octoha:NAME" ... "#endregion octoha:NAME" is kept when the
//     script's flag NAME is set and dropped when it is not;
//     "#region octoha:!NAME" is kept when it is not set. The marker lines
//     themselves never reach the output.
//
// A value a line names as ${octoha:NAME} (valid PowerShell: a variable on
// a drive that does not exist) is printed through the quoting functions:
// as a literal in code, as CommentText in a comment.
//
//go:embed scripts/*.ps1
var scriptFiles embed.FS

const (
	valuesMarker = "# octoha:values"
	commonMarker = "# octoha:common "
	linesMarker  = "# octoha:lines "
	regionStart  = "#region octoha:"
	regionEnd    = "#endregion octoha:"
	blockStart   = "#region octoha:block "
	blockEnd     = "#endregion octoha:block "
	placeholder  = "${octoha:"
)

// scriptFile is one emitted script: its file and everything Go splices in.
type scriptFile struct {
	// file is the source under scripts/, without the directory.
	file string
	// flags keeps or drops each region; a region not named here is an
	// error, so a misspelt region cannot silently vanish.
	flags map[string]bool
	// values are the values block and every ${octoha:NAME}.
	values *values
	// lines are the lines Go builds for each "# octoha:lines NAME".
	lines map[string][]string
}

// render builds the script. A script that holds any non-ASCII character
// gets a UTF-8 BOM: Windows PowerShell 5.1 reads a file without one as the
// ANSI code page (PSUseBOMForUnicodeEncodedFile). Line ends are CRLF,
// which Windows tools expect.
func (s scriptFile) render() ([]byte, error) {
	out, err := s.build()
	if err != nil {
		return nil, fmt.Errorf("rendering %s: %w", s.file, err)
	}
	return withBOM([]byte(strings.Join(out, "\r\n"))), nil
}

// build is the script as output lines.
func (s scriptFile) build() ([]string, error) {
	if s.values.err != nil {
		return nil, s.values.err
	}
	src, err := sourceLines(s.file)
	if err != nil {
		return nil, err
	}
	common, err := commonBlocks()
	if err != nil {
		return nil, err
	}
	expanded, err := expandCommon(src, common)
	if err != nil {
		return nil, err
	}
	kept, err := s.keepRegions(expanded)
	if err != nil {
		return nil, err
	}
	return s.splice(kept)
}

// sourceLines reads one file under scripts/ as lines.
func sourceLines(file string) ([]string, error) {
	b, err := scriptFiles.ReadFile("scripts/" + file)
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), nil
}

// commonBlocks reads common.ps1 as its named blocks.
func commonBlocks() (map[string][]string, error) {
	lines, err := sourceLines("common.ps1")
	if err != nil {
		return nil, err
	}
	blocks := map[string][]string{}
	name := ""
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, blockStart):
			if name != "" {
				return nil, fmt.Errorf("common.ps1:%d: block %s starts inside block %s", i+1, line[len(blockStart):], name)
			}
			name = line[len(blockStart):]
			blocks[name] = []string{}
		case strings.HasPrefix(line, blockEnd):
			if line[len(blockEnd):] != name {
				return nil, fmt.Errorf("common.ps1:%d: %q does not end block %q", i+1, line, name)
			}
			name = ""
		case name != "":
			blocks[name] = append(blocks[name], line)
		}
	}
	if name != "" {
		return nil, fmt.Errorf("common.ps1: block %s never ends", name)
	}
	return blocks, nil
}

// expandCommon replaces each "# octoha:common NAME" line with the block.
func expandCommon(src []string, common map[string][]string) ([]string, error) {
	var out []string
	for _, line := range src {
		name, ok := strings.CutPrefix(strings.TrimSpace(line), commonMarker)
		if !ok {
			out = append(out, line)
			continue
		}
		block, ok := common[name]
		if !ok {
			return nil, fmt.Errorf("common.ps1 has no block %s", name)
		}
		out = append(out, block...)
	}
	return out, nil
}

// keepRegions drops every region whose flag says so, and every marker
// line. An unknown flag or an unbalanced region is an error.
func (s scriptFile) keepRegions(src []string) ([]string, error) {
	var out []string
	var open []string // region names, innermost last
	dropping := 0     // how many of the open regions are dropped
	for _, line := range src {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, regionStart):
			name := t[len(regionStart):]
			keep, err := s.flag(name)
			if err != nil {
				return nil, err
			}
			open = append(open, name)
			if dropping > 0 || !keep {
				dropping++
			}
		case strings.HasPrefix(t, regionEnd):
			name := t[len(regionEnd):]
			if len(open) == 0 || open[len(open)-1] != name {
				return nil, fmt.Errorf("%q ends a region that is not open (open: %v)", t, open)
			}
			open = open[:len(open)-1]
			if dropping > 0 {
				dropping--
			}
		case dropping == 0:
			out = append(out, line)
		}
	}
	if len(open) > 0 {
		return nil, fmt.Errorf("the regions %v never end", open)
	}
	return out, nil
}

// flag says whether region name ("x" or "!x") is kept.
func (s scriptFile) flag(name string) (bool, error) {
	bare, negated := strings.CutPrefix(name, "!")
	set, ok := s.flags[bare]
	if !ok {
		return false, fmt.Errorf("the region %s names no flag of this script", name)
	}
	return set != negated, nil
}

// splice puts in the values block, the lines Go builds, and every
// ${octoha:NAME}.
func (s scriptFile) splice(src []string) ([]string, error) {
	var out []string
	inHelp := false
	for _, line := range src {
		t := strings.TrimSpace(line)
		if t == valuesMarker {
			out = append(out, s.values.block()...)
			continue
		}
		if name, ok := strings.CutPrefix(t, linesMarker); ok {
			lines, ok := s.lines[name]
			if !ok {
				return nil, fmt.Errorf("no lines %s for this script", name)
			}
			out = append(out, lines...)
			continue
		}
		if strings.HasPrefix(t, "<#") {
			inHelp = true
		}
		filled, err := s.values.fill(line, inHelp || strings.HasPrefix(t, "#"))
		if err != nil {
			return nil, err
		}
		out = append(out, filled)
		if strings.HasSuffix(t, "#>") {
			inHelp = false
		}
	}
	return out, nil
}

// utf8BOM marks a script as UTF-8 for Windows PowerShell 5.1.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// withBOM adds the BOM when the script holds any non-ASCII character.
func withBOM(src []byte) []byte {
	for _, c := range src {
		if c >= 0x80 {
			return append(append([]byte{}, utf8BOM...), src...)
		}
	}
	return src
}
