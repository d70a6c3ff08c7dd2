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
    # Split the line ourselves, as bash will split and unquote it for the
    # command: at unquoted blanks, with quotes and backslashes removed
    # (COMP_WORDS keeps them, and also splits at "=" and ":", which would
    # break "--context=arn:aws:eks:..."). Nothing is expanded or evaluated.
    local -a words=()
    local word="" quote="" ch next i started=0
    # brk: how much of the unquoted word precedes the text readline will
    # replace, i.e. what follows the last unquoted COMP_WORDBREAKS
    # character, or the quote still open at the cursor. qstart: where the
    # open quote began.
    local brk=0 qstart=0
    for (( i = 0; i < ${#line}; i++ )); do
        ch=${line:i:1}
        next=${line:i+1:1}
        if [[ $quote == "'" ]]; then
            if [[ $ch == "'" ]]; then quote=""; else word+=$ch; fi
        elif [[ $quote == '"' ]]; then
            if [[ $ch == '"' ]]; then
                quote=""
            elif [[ $ch == '\' && -n $next && $next == [\$\`\"\\$'\n'] ]]; then
                [[ $next == $'\n' ]] || word+=$next
                (( i++ ))
            else
                word+=$ch
            fi
        elif [[ $ch == [[:space:]] ]]; then
            (( started )) && words+=("$word")
            word="" started=0 brk=0
        elif [[ $ch == '\' ]]; then
            started=1
            [[ $next == $'\n' ]] || word+=$next
            (( i++ ))
        elif [[ $ch == [\'\"] ]]; then
            started=1 quote=$ch qstart=${#word}
        else
            started=1
            word+=$ch
            [[ $COMP_WORDBREAKS == *"$ch"* ]] && brk=${#word}
        fi
    done
    # The last word is the one being completed, unless the line ends in
    # an unquoted blank.
    local cur=$word
    (( started )) || cur=""
    [[ -n $quote ]] && brk=$qstart
    local prefix=${cur:0:brk}

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

    COMPREPLY=()
    local c
    for c in "${cands[@]}"; do
        c=${c#"$prefix"}
        # A lone candidate is inserted as typed text, so quote it; inside
        # an open quote readline adds the closing quote itself, so escape
        # only what that quote cannot hold as is.
        if (( ${#cands[@]} == 1 )); then
            if [[ -z $quote ]]; then
                printf -v c '%q' "$c"
            else
                local q="" j
                for (( j = 0; j < ${#c}; j++ )); do
                    ch=${c:j:1}
                    if [[ $quote == "'" && $ch == "'" ]]; then
                        q+="'\\''"
                    elif [[ $quote == '"' && $ch == [\\\"\$\`] ]]; then
                        q+="\\$ch"
                    else
                        q+=$ch
                    fi
                done
                c=$q
            fi
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
