package counts

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// findFile returns the path of the first of names present in dir, as is or
// with ".gz" appended, and whether one was found.
func findFile(dir string, names ...string) (string, bool) {
	for _, n := range names {
		for _, p := range []string{filepath.Join(dir, n), filepath.Join(dir, n+".gz")} {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p, true
			}
		}
	}
	return "", false
}

// needFile is findFile returning an error that lists what was looked for.
func needFile(dir string, names ...string) (string, error) {
	if p, ok := findFile(dir, names...); ok {
		return p, nil
	}
	return "", fmt.Errorf("%s: missing %s (plain or .gz)", dir, strings.Join(names, " or "))
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// openText opens a file, decompressing it when it starts with the gzip magic.
func openText(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(f)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return struct {
			io.Reader
			io.Closer
		}{gz, f}, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{br, f}, nil
}

// readTable reads a tab-separated file with at least minCols columns per
// line. A final empty line is allowed; an empty line elsewhere is an error,
// as it would shift every later name by one.
func readTable(path string, minCols int) ([][]string, error) {
	rc, err := openText(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var rows [][]string
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	blank := 0
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimRight(sc.Text(), "\r")
		if t == "" {
			if blank == 0 {
				blank = line
			}
			continue
		}
		if blank > 0 {
			return nil, fmt.Errorf("%s:%d: empty line inside the list", path, blank)
		}
		f := strings.Split(t, "\t")
		if len(f) < minCols {
			return nil, fmt.Errorf("%s:%d: %d columns, want at least %d", path, line, len(f), minCols)
		}
		rows = append(rows, f)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// readList reads the first column of a one-name-per-line file.
func readList(path string) ([]string, error) {
	rows, err := readTable(path, 1)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[0]
	}
	return out, nil
}
