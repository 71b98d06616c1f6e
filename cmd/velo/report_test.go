package main

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// geneRow matches a row of the fitted-genes table (name, five numbers,
// velocity gene yes/no).
var geneRow = regexp.MustCompile(`<tr><td>([^<]+)</td>(?:<td>[^<]*</td>){5}<td>(?:yes|no)</td></tr>`)

var embeddedPNG = regexp.MustCompile(`<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"`)

func TestReportCommand(t *testing.T) {
	in, _ := velocityResultFiles(t)
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		images   int
		sections []string
	}{
		{"default", nil, 4, []string{"Dataset", "Filtering and quality control", "Velocity stream", "Phase portraits", "Fitted genes", "Confidence and pseudotime"}},
		{"edges", []string{"--edges", "Progenitor>Intermediate,Intermediate>Fate A", "--color", "velocity_pseudotime"}, 4, []string{"Direction scores", "Progenitor → Intermediate"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name+".html")
			if _, err := execute(append([]string{"report", in, "-o", out}, tc.args...)...); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			html := string(data)
			for _, s := range tc.sections {
				if !strings.Contains(html, s) {
					t.Errorf("report lacks %q", s)
				}
			}
			for _, bad := range []string{"http://", "https://", "<link", "<script"} {
				if strings.Contains(html, bad) {
					t.Errorf("report refers to %q", bad)
				}
			}
			imgs := embeddedPNG.FindAllStringSubmatch(html, -1)
			if len(imgs) != tc.images {
				t.Fatalf("%d embedded images, want %d", len(imgs), tc.images)
			}
			for k, m := range imgs {
				raw, err := base64.StdEncoding.DecodeString(m[1])
				if err != nil {
					t.Fatalf("image %d: %v", k, err)
				}
				im, err := png.Decode(bytes.NewReader(raw))
				if err != nil {
					t.Fatalf("image %d: %v", k, err)
				}
				checkNotBlank(t, "embedded image", im)
			}
		})
	}
}

func TestReportGenes(t *testing.T) {
	in, _ := velocityResultFiles(t)
	out := filepath.Join(t.TempDir(), "r.html")
	if _, err := execute("report", in, "-o", out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows := geneRow.FindAllStringSubmatch(string(data), -1)
	if len(rows) != 6 {
		t.Fatalf("%d gene rows in the default report, want 6", len(rows))
	}
	pick := rows[5][1] + "," + rows[2][1]
	if _, err := execute("report", in, "-o", out, "--genes", pick); err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows = geneRow.FindAllStringSubmatch(string(data), -1)
	if len(rows) != 2 || rows[0][1]+","+rows[1][1] != pick {
		t.Errorf("gene rows %v, want %s", rows, pick)
	}
}

func TestReportErrors(t *testing.T) {
	in, noVel := velocityResultFiles(t)
	out := filepath.Join(t.TempDir(), "r.html")
	// An input whose name ends in .html, to reach the same-file check.
	raw, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	inHTML := filepath.Join(t.TempDir(), "result.html")
	if err := os.WriteFile(inHTML, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing velocity_umap", []string{"report", noVel, "-o", out}, "run velo run first: obsm velocity_umap is missing"},
		{"unknown gene", []string{"report", in, "-o", out, "--genes", "NoSuchGene,Other"}, "NoSuchGene, Other"},
		{"output is input", []string{"report", inHTML, "-o", inHTML}, "overwrite the input"},
		{"not html", []string{"report", in, "-o", filepath.Join(t.TempDir(), "r.txt")}, ".html"},
		{"bad edges", []string{"report", in, "-o", out, "--edges", "Progenitor"}, "--edges"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := execute(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed report left %s behind (stat: %v)", out, err)
	}
}
