// gitward-jsonnet evaluates a Jsonnet file with go-jsonnet behind an importer that confines every
// import (from files, --ext-code and --tla-code) to the repository root given with --root and the
// library directories given with -J, which must themselves lie inside the root. The stock jsonnet
// binary resolves `import '/etc/passwd'` or `importstr '../../x'` anywhere on disk, which would let
// a repository author (or anyone who may edit an Application's ext vars) render any file the
// controller can read, such as its ServiceAccount token, into a ConfigMap.
//
// Usage: gitward-jsonnet --root DIR [-J DIR]... [--ext-str|--ext-code|--tla-str|--tla-code NAME=VALUE]... FILE
//
//	gitward-jsonnet --version
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-jsonnet"
)

// banner is what --version prints; the renderer refuses to run a jsonnet binary without it, so a
// stock (unconfined) jsonnet on PATH fails closed instead of rendering.
// goJsonnetVersion is set by build-binaries.sh (-X) from versions.env.
var goJsonnetVersion = "unknown"

func banner() string {
	return "gitward-jsonnet (imports confined to the repository) go-jsonnet v" + goJsonnetVersion
}

// maxImportBytes bounds one imported file: a repository cannot make the evaluator read a huge file.
const maxImportBytes = 16 << 20

// confinedImporter resolves imports like go-jsonnet's FileImporter (relative to the importing
// file, then each library directory in order) but only to files whose real path, symlinks
// resolved, lies inside root.
type confinedImporter struct {
	root  string   // real (symlink-free) absolute repository root
	jpath []string // real absolute library directories, each inside root
	cache map[string]jsonnet.Contents
}

func inside(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

// realInside returns p's real path if p exists and lies inside root, both lexically and after
// symlinks are resolved. found is false if p does not exist; err is set if it leaves the root.
func realInside(root, p string) (real string, found bool, err error) {
	p = filepath.Clean(p)
	if !inside(root, p) {
		return "", false, fmt.Errorf("%s is outside the repository", p)
	}
	real, err = filepath.EvalSymlinks(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if !inside(root, real) {
		return "", false, fmt.Errorf("%s leaves the repository through a symlink", relOrSelf(root, p))
	}
	return real, true, nil
}

func relOrSelf(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}

// Import implements jsonnet.Importer.
func (c *confinedImporter) Import(importedFrom, importedPath string) (jsonnet.Contents, string, error) {
	if filepath.IsAbs(importedPath) {
		return jsonnet.Contents{}, "", fmt.Errorf("import %q: absolute paths are not allowed (imports must stay inside the repository)", importedPath)
	}
	// Code from --ext-code/--tla-code has no file: it imports relative to the repository root.
	base := c.root
	if filepath.IsAbs(importedFrom) {
		base = filepath.Dir(importedFrom)
	}
	for _, dir := range append([]string{base}, c.jpath...) {
		real, found, err := realInside(c.root, filepath.Join(dir, importedPath))
		if err != nil {
			return jsonnet.Contents{}, "", fmt.Errorf("import %q: %v", importedPath, err)
		}
		if !found {
			continue
		}
		contents, err := c.read(real)
		return contents, real, err
	}
	return jsonnet.Contents{}, "", fmt.Errorf("import %q: not found in the repository", importedPath)
}

func (c *confinedImporter) read(real string) (jsonnet.Contents, error) {
	if cached, ok := c.cache[real]; ok {
		return cached, nil
	}
	f, err := os.Open(real)
	if err != nil {
		return jsonnet.Contents{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImportBytes+1))
	if err != nil {
		return jsonnet.Contents{}, err
	}
	if len(data) > maxImportBytes {
		return jsonnet.Contents{}, fmt.Errorf("%s is larger than %d bytes", relOrSelf(c.root, real), maxImportBytes)
	}
	contents := jsonnet.MakeContentsRaw(data)
	c.cache[real] = contents
	return contents, nil
}

type options struct {
	root  string
	jpath []string
	ext   [][3]string // kind ("str"/"code"), name, value
	tla   [][3]string
	file  string
	ver   bool
}

func parseArgs(args []string) (options, error) {
	var o options
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--version" {
			o.ver = true
			continue
		}
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", a)
			}
			i++
			return args[i], nil
		}
		switch a {
		case "--root", "-J", "--jpath", "--ext-str", "--ext-code", "--tla-str", "--tla-code":
			v, err := value()
			if err != nil {
				return o, err
			}
			if err := o.set(a, v); err != nil {
				return o, err
			}
		default:
			if strings.HasPrefix(a, "-") || o.file != "" {
				return o, fmt.Errorf("unexpected argument %q", a)
			}
			o.file = a
		}
	}
	return o, nil
}

func (o *options) set(flag, v string) error {
	switch flag {
	case "--root":
		o.root = v
		return nil
	case "-J", "--jpath":
		o.jpath = append(o.jpath, v)
		return nil
	}
	name, val, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("%s %q: expected NAME=VALUE", flag, v)
	}
	kind := "str"
	if strings.HasSuffix(flag, "-code") {
		kind = "code"
	}
	if strings.HasPrefix(flag, "--ext-") {
		o.ext = append(o.ext, [3]string{kind, name, val})
	} else {
		o.tla = append(o.tla, [3]string{kind, name, val})
	}
	return nil
}

// newVM builds a VM whose importer is confined to o.root, and returns the main file's path
// relative to the root (the importer refuses absolute paths, the main file's included).
func newVM(o options) (*jsonnet.VM, string, error) {
	if o.root == "" || o.file == "" {
		return nil, "", errors.New("usage: gitward-jsonnet --root DIR [-J DIR]... [--ext-str|--ext-code|--tla-str|--tla-code NAME=VALUE]... FILE")
	}
	absRoot, err := filepath.Abs(o.root)
	if err != nil {
		return nil, "", err
	}
	root, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return nil, "", fmt.Errorf("--root: %v", err)
	}
	imp := &confinedImporter{root: root, cache: map[string]jsonnet.Contents{}}
	for _, j := range o.jpath {
		real, found, err := realInside(root, absUnder(root, j))
		if err != nil || !found {
			return nil, "", fmt.Errorf("library path %q must be a directory inside the repository", j)
		}
		imp.jpath = append(imp.jpath, real)
	}
	file, found, err := realInside(root, absUnder(root, o.file))
	if err != nil || !found {
		return nil, "", fmt.Errorf("%q must be a file inside the repository", o.file)
	}
	vm := jsonnet.MakeVM()
	vm.Importer(imp)
	for _, e := range o.ext {
		if e[0] == "code" {
			vm.ExtCode(e[1], e[2])
		} else {
			vm.ExtVar(e[1], e[2])
		}
	}
	for _, t := range o.tla {
		if t[0] == "code" {
			vm.TLACode(t[1], t[2])
		} else {
			vm.TLAVar(t[1], t[2])
		}
	}
	return vm, relOrSelf(root, file), nil
}

// absUnder makes a relative path absolute against the root (not the working directory).
func absUnder(root, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(root, p)
}

func run(args []string, stdout io.Writer) error {
	o, err := parseArgs(args)
	if err != nil {
		return err
	}
	if o.ver {
		_, err := fmt.Fprintln(stdout, banner())
		return err
	}
	vm, file, err := newVM(o)
	if err != nil {
		return err
	}
	// The main file goes through the importer too (relative to the root), under the same rules.
	out, err := vm.EvaluateFile(file)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, out)
	return err
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gitward-jsonnet:", err)
		os.Exit(1)
	}
}
