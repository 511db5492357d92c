package repo

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// readmeMaxLines keeps every README a door: what it is, how to use it, the
// rules; reference material lives in a focused document beside it.
const readmeMaxLines = 250

var (
	// mdLink is an inline Markdown link or image: [text](target "title").
	mdLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^()\s]+)(?:\s+"[^"]*")?\)`)
	// codeSpan is inline code, whose brackets are not links.
	codeSpan = regexp.MustCompile("`[^`]*`")
	heading  = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
)

func moduleRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, ok := Root(wd)
	if !ok {
		t.Fatalf("no go.mod declaring %s at or above %s", Module, wd)
	}
	return root
}

func TestDocLinksResolve(t *testing.T) {
	root := moduleRoot(t)
	problems, err := checkDocLinks(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func TestEveryReadmeIsADoor(t *testing.T) {
	problems, err := longReadmes(moduleRoot(t), readmeMaxLines)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestLongReadmeCheckFindsALongOne shows the check fails on what it
// guards: a README below the top, one line over.
func TestLongReadmeCheckFindsALongOne(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, lines := range map[string]int{"README.md": 3, "sub/README.md": 4, "sub/OTHER.md": 9} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Repeat("line\n", lines)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := longReadmes(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "sub/README.md has 4 lines, at most 3") {
		t.Errorf("problems %q, want only sub/README.md's", problems)
	}
}

// longReadmes lists the README.md files under root with more than max
// lines.
func longReadmes(root string, max int) ([]string, error) {
	var problems []string
	err := walkDocs(root, func(name string) bool { return name == "README.md" }, func(path string, b []byte) error {
		if n := strings.Count(string(b), "\n"); n > max {
			rel, _ := filepath.Rel(root, path)
			problems = append(problems, fmt.Sprintf("%s has %d lines, at most %d (hint: keep what it is, how to use it and the rules; move reference material into a focused document beside it and link to it)", filepath.ToSlash(rel), n, max))
		}
		return nil
	})
	return problems, err
}

// TestDocLinkCheckFindsBrokenLinks shows the check fails on what it guards:
// a missing file, a missing heading, and a missing heading in the same file.
func TestDocLinkCheckFindsBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "# Top\n\n[ok](sub/README.md#hil_targetjumper-the-host-without-a-pico) [dir](sub)\n"+
		"[gone](sub/GONE.md) [bad anchor](sub/README.md#nowhere) [self](#top) [bad self](#bottom)\n"+
		"`[not a link](nowhere.md)` [web](https://example.org/x.md)\n\n```\n[in a fence](nowhere.md)\n```\n")
	write("sub/README.md", "# Sub\n\n## `HIL_TARGET=jumper`: the host without a Pico\n\n[up](../README.md#top)\n")
	problems, err := checkDocLinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"README.md:4: sub/GONE.md: no such file",
		"README.md:4: sub/README.md#nowhere: no heading",
		"README.md:4: #bottom: no heading",
	}
	if len(problems) != len(want) {
		t.Fatalf("problems:\n%s\nwant %d, starting with:\n%s", strings.Join(problems, "\n"), len(want), strings.Join(want, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(problems[i], w) {
			t.Errorf("problem %d = %q, want it to start with %q", i, problems[i], w)
		}
	}
}

// checkDocLinks lists every relative link in the Markdown files under root
// whose file, or heading anchor, does not exist.
func checkDocLinks(root string) ([]string, error) {
	var problems []string
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) (map[string]bool, error) {
		if a, ok := anchors[path]; ok {
			return a, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		a := headingAnchors(string(b))
		anchors[path] = a
		return a, nil
	}
	err := walkDocs(root, func(name string) bool { return strings.HasSuffix(name, ".md") }, func(path string, b []byte) error {
		rel, _ := filepath.Rel(root, path)
		for _, l := range docLinks(string(b)) {
			if p := checkLink(root, path, l.target, anchorsOf); p != "" {
				problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", filepath.ToSlash(rel), l.line, l.target, p))
			}
		}
		return nil
	})
	return problems, err
}

// walkDocs calls fn with the path and text of every file under root whose
// name keep accepts, leaving out .git, node_modules and out.
func walkDocs(root string, keep func(name string) bool, fn func(path string, b []byte) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "out":
				return filepath.SkipDir
			}
			return nil
		}
		if !keep(d.Name()) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return fn(path, b)
	})
}

type docLink struct {
	line   int
	target string
}

// docLinks are the relative link targets of a Markdown text, outside fenced
// code and code spans.
func docLinks(text string) []docLink {
	var out []docLink
	fenced := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for _, m := range mdLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			out = append(out, docLink{i + 1, target})
		}
	}
	return out
}

// checkLink says what is wrong with one link target of the file from, or "".
func checkLink(root, from, target string, anchorsOf func(string) (map[string]bool, error)) string {
	file, anchor, _ := strings.Cut(target, "#")
	path := from
	if file != "" {
		base := filepath.Dir(from)
		if strings.HasPrefix(file, "/") {
			base = root
		}
		path = filepath.Join(base, filepath.FromSlash(file))
		if _, err := os.Stat(path); err != nil {
			return "no such file (hint: links are relative to the Markdown file that holds them)"
		}
	}
	if anchor == "" || !strings.HasSuffix(path, ".md") {
		return ""
	}
	a, err := anchorsOf(path)
	if err != nil {
		return err.Error()
	}
	if !a[anchor] {
		return "no heading with this anchor (hint: an anchor is the heading in lower case, spaces as hyphens, punctuation dropped)"
	}
	return ""
}

// headingAnchors are the anchors GitHub gives the headings of a Markdown
// text: lower case, punctuation dropped, spaces as hyphens, repeats
// numbered -1, -2, ...
func headingAnchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		m := heading.FindStringSubmatch(line)
		if fenced || m == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}
