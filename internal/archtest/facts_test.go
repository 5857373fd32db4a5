package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// factsCitation is how code and notes cite a section of the facts
// document: "docs/octopus-facts.md §4.2", or §8.17 for item 17 of
// section 8's numbered list.
var factsCitation = regexp.MustCompile(`octopus-facts\.md` + "`?" + ` §(\d+(?:\.\d+)*)`)

// factsSections are the numbers the facts document gives its sections
// ("## 4. SQL Server", "### 4.2 Database rules") and the items of their
// numbered lists ("17. **Local folders left in place**" under section 8).
func factsSections(doc string) map[string]bool {
	sections := map[string]bool{}
	heading := regexp.MustCompile(`^#{2,3} (\d+(?:\.\d+)*)\.? `)
	item := regexp.MustCompile(`^(\d+)\. `)
	current := ""
	for _, line := range strings.Split(doc, "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			current = m[1]
			sections[current] = true
			continue
		}
		if m := item.FindStringSubmatch(line); m != nil && current != "" && !strings.Contains(current, ".") {
			sections[current+"."+m[1]] = true
		}
	}
	return sections
}

// Every citation of docs/octopus-facts.md in the repository's code and
// Markdown names a section the document has, so a comment's source is
// one a contributor can open.
func TestFactsCitationsNameSections(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "octopus-facts.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := factsSections(string(doc))
	if !sections["4.2"] || !sections["8.17"] || !sections["0"] {
		t.Fatalf("the facts document's sections were not read: %v", sections)
	}
	cited := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "node_modules", "dist":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, ".md") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			for _, m := range factsCitation.FindAllStringSubmatch(line, -1) {
				cited++
				if !sections[m[1]] {
					t.Errorf("%s:%s cites docs/octopus-facts.md §%s, which it has no section for", p, strconv.Itoa(i+1), m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cited < 50 {
		t.Errorf("only %d citations found: the pattern no longer matches how the code cites the facts", cited)
	}
}

// factsSections reads headings and list items, and nothing else.
func TestFactsSections(t *testing.T) {
	got := factsSections("## 4. SQL Server\n### 4.2 Rules\n1. not an item of 4.2\n## 8. Wrong\n17. **Local**\n")
	for _, want := range []string{"4", "4.2", "8", "8.17"} {
		if !got[want] {
			t.Errorf("section %s not read from %v", want, got)
		}
	}
	if got["4.2.1"] || got["4.1"] {
		t.Errorf("read a section that is not there: %v", got)
	}
}
