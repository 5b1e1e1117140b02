package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repo lays out a repository with a library and a secret file outside it, and returns the root.
func repo(t *testing.T) (root, secret string) {
	t.Helper()
	base := t.TempDir()
	secret = filepath.Join(base, "secret.txt")
	root = filepath.Join(base, "repo")
	write := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(secret, "TOKEN-OUTSIDE")
	write(filepath.Join(root, "lib", "k.libsonnet"), "{ name: 'from-lib' }")
	write(filepath.Join(root, "app", "data.txt"), "inside")
	if err := os.Symlink(secret, filepath.Join(root, "app", "link.txt")); err != nil {
		t.Fatal(err)
	}
	return root, secret
}

func eval(t *testing.T, root, code string, extra ...string) (string, error) {
	t.Helper()
	file := filepath.Join(root, "app", "main.jsonnet")
	if err := os.WriteFile(file, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	args := append([]string{"--root", root, "-J", filepath.Join(root, "lib")}, extra...)
	err := run(append(args, file), &out)
	return out.String(), err
}

func TestImportsInsideTheRepositoryWork(t *testing.T) {
	root, _ := repo(t)
	out, err := eval(t, root, `{ a: importstr 'data.txt', b: (import 'k.libsonnet').name, c: std.extVar('x') }`,
		"--ext-code", "x=(import 'k.libsonnet').name")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"inside"`, `"from-lib"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output %s lacks %s", out, want)
		}
	}
}

func TestImportsLeavingTheRepositoryAreRefused(t *testing.T) {
	root, secret := repo(t)
	cases := map[string][]string{
		"absolute":          {`importstr '` + secret + `'`},
		"dot-dot":           {`importstr '../../secret.txt'`},
		"symlink":           {`importstr 'link.txt'`},
		"importbin":         {`importbin '../../secret.txt'`},
		"ext-code absolute": {`std.extVar('x')`, "--ext-code", "x=importstr '" + secret + "'"},
		"ext-code dot-dot":  {`std.extVar('x')`, "--ext-code", "x=importstr '../secret.txt'"},
		"tla-code":          {`function(x) x`, "--tla-code", "x=importstr '../secret.txt'"},
		"library path":      {`importstr 'x'`, "-J", filepath.Dir(secret)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := eval(t, root, c[0], c[1:]...)
			if err == nil {
				t.Fatalf("evaluated to %s, want an error", out)
			}
			if strings.Contains(out+err.Error(), "TOKEN-OUTSIDE") {
				t.Fatalf("the secret leaked: %v", err)
			}
		})
	}
}

func TestSymlinksInsideTheRepositoryWork(t *testing.T) {
	root, _ := repo(t)
	if err := os.Symlink(filepath.Join(root, "app", "data.txt"), filepath.Join(root, "app", "alias.txt")); err != nil {
		t.Fatal(err)
	}
	out, err := eval(t, root, `importstr 'alias.txt'`)
	if err != nil || !strings.Contains(out, "inside") {
		t.Fatalf("out %q, err %v", out, err)
	}
}

func TestLibraryPathThroughASymlinkOutIsRefused(t *testing.T) {
	root, secret := repo(t)
	if err := os.Symlink(filepath.Dir(secret), filepath.Join(root, "vendor")); err != nil {
		t.Fatal(err)
	}
	_, err := eval(t, root, `importstr 'secret.txt'`, "-J", filepath.Join(root, "vendor"))
	if err == nil || strings.Contains(err.Error(), "TOKEN-OUTSIDE") {
		t.Fatalf("err %v, want a refusal without the secret", err)
	}
}

func TestVersionBanner(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"--version"}, &out); err != nil || !strings.Contains(out.String(), "gitward-jsonnet") {
		t.Fatalf("banner %q, err %v", out.String(), err)
	}
}
