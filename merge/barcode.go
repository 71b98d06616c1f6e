package merge

import "strings"

// defaultMinCore is the shortest nucleotide run taken as a barcode. Cell
// barcodes are 12 (Drop-seq) to 16 (10x v2/v3) bases; 8 keeps short
// upper-case sample names such as "GATA" from being taken for one.
const defaultMinCore = 8

// name is a cell name split around its core barcode.
type name struct {
	core           string
	prefix, suffix string
}

func isBase(c byte) bool { return c == 'A' || c == 'C' || c == 'G' || c == 'T' || c == 'N' }

// parseName finds the longest run of A/C/G/T/N of at least minCore letters
// (the last one on ties, as sample names come first more often than last).
// A name without such a run is its own core.
func parseName(s string, minCore int) name {
	bestStart, bestLen := -1, 0
	for i := 0; i < len(s); {
		if !isBase(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isBase(s[j]) {
			j++
		}
		if j-i >= minCore && j-i >= bestLen {
			bestStart, bestLen = i, j-i
		}
		i = j
	}
	if bestStart < 0 {
		return name{core: s}
	}
	return name{core: s[bestStart : bestStart+bestLen], prefix: s[:bestStart], suffix: s[bestStart+bestLen:]}
}

// pattern is the name with its core replaced by "*", e.g. "*-1" or
// "sample:*x", for reports.
func (n name) pattern() string { return n.prefix + "*" + n.suffix }

func isSep(c byte) bool {
	switch c {
	case ':', '_', '-', '.', '#', '/', '|', ' ':
		return true
	}
	return false
}

// containsWord reports whether id occurs in s bounded by separators or the
// ends of s: "1" is in "-1-0" but not in "-10"; "sample_1" is in "-1-sample_1".
func containsWord(s, id string) bool {
	if id == "" {
		return false
	}
	for from := 0; ; {
		k := strings.Index(s[from:], id)
		if k < 0 {
			return false
		}
		a := from + k
		b := a + len(id)
		if (a == 0 || isSep(s[a-1])) && (b == len(s) || isSep(s[b])) {
			return true
		}
		from = a + 1
	}
}
