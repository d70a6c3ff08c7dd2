package config

import "fmt"

// didYouMean names the known word closest to a misspelt one, when it is
// close enough to be the likely intent; otherwise it returns "".
func didYouMean(word string, known []string) string {
	best, bestDist := "", 0
	for _, k := range known {
		d := editDistance(word, k)
		if best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	// A third of the word may be wrong: catches transpositions and dropped
	// letters without suggesting unrelated names.
	if best == "" || bestDist == 0 || bestDist > max(1, len(word)/3) {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the optimal-string-alignment distance between a and b
// (Levenshtein plus swapped neighbours, the commonest typo), in bytes: the
// names compared are ASCII.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
