# bash completion for @PROG@.
#
# Load it in the current shell:    source <(@PROG@ completion bash)
# or for every shell, save it as:  ~/.local/share/bash-completion/completions/@PROG@
#
# On every TAB this asks `@PROG@ __complete` for the candidates, so they
# always match the installed version (and list live contexts and namespaces).

__initwatch_complete() {
    local prog=$1
    local line=${COMP_LINE:0:COMP_POINT}
    local -a words=()
    # Split on blanks ourselves: bash's COMP_WORDS also splits at "=" and
    # ":", which would break "--context=arn:aws:eks:...".
    read -r -a words <<<"$line"
    local cur=""
    if [[ -n $line && $line != *[[:space:]] && ${#words[@]} -gt 0 ]]; then
        cur=${words[${#words[@]}-1]}
        unset 'words[${#words[@]}-1]'
    fi

    local out
    out=$("$prog" __complete "${words[@]:1}" "$cur" 2>/dev/null) || return 0

    local directive=0 entry
    local -a cands=()
    while IFS= read -r entry; do
        if [[ $entry =~ ^:[0-9]+$ ]]; then
            directive=${entry#:}
        elif [[ -n $entry ]]; then
            cands+=("${entry%%$'\t'*}")
        fi
    done <<<"$out"

    (( directive & 1 )) && return 0

    # Readline replaces only the text after the last word-break character
    # (COMP_WORDBREAKS holds "=" and ":"), so drop what precedes it.
    local i prefix=""
    for (( i = ${#cur} - 1; i >= 0; i-- )); do
        if [[ $COMP_WORDBREAKS == *"${cur:i:1}"* ]]; then
            prefix=${cur:0:i+1}
            break
        fi
    done

    COMPREPLY=()
    local c
    for c in "${cands[@]}"; do
        c=${c#"$prefix"}
        # A lone candidate is inserted as typed text, so quote it.
        if (( ${#cands[@]} == 1 )); then
            printf -v c '%q' "$c"
        fi
        COMPREPLY+=("$c")
    done

    if type compopt >/dev/null 2>&1; then
        (( directive & 2 )) && compopt -o nospace
        if (( ${#COMPREPLY[@]} == 0 && directive == 0 )); then
            compopt -o default # no candidates: file names
        fi
    fi
    return 0
}

complete -F __initwatch_complete @PROG@
