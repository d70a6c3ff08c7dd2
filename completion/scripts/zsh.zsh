#compdef @PROG@
# zsh completion for @PROG@.
#
# Load it in the current shell (after compinit):  source <(@PROG@ completion zsh)
# or for every shell, save it as _@PROG@ in a directory on $fpath.
#
# On every TAB this asks `@PROG@ __complete` for the candidates, so they
# always match the installed version (and list live contexts and namespaces).

__initwatch_complete() {
    local -a args lines described
    local out line value desc directive=0

    # The words after the command with the shell's quoting removed, then
    # the word being completed up to the cursor: $PREFIX, which zsh has
    # already unquoted, also when a quote is still open ("--context 'pr"),
    # which ${(Q)...} would leave in.
    args=("${(@Q)words[2,CURRENT-1]}" "$PREFIX")
    out=$("${words[1]}" __complete "${args[@]}" 2>/dev/null) || return 1

    lines=("${(@f)out}")
    for line in "${lines[@]}"; do
        if [[ $line =~ '^:[0-9]+$' ]]; then
            directive=${line#:}
            continue
        fi
        [[ -z $line ]] && continue
        value=${line%%$'\t'*}
        desc=""
        [[ $line == *$'\t'* ]] && desc=${line#*$'\t'}
        # _describe splits "value:description" at the first unescaped ":".
        described+=("${value//:/\\:}${desc:+:$desc}")
    done

    (( directive & 1 )) && return 1
    if (( ${#described} )); then
        if (( directive & 2 )); then
            _describe -t values '@PROG@' described -S ''
        else
            _describe -t values '@PROG@' described
        fi
        return 0
    fi
    if (( directive == 0 )); then
        _files # no candidates: file names
    fi
}

if [[ ${funcstack[1]} == _@PROG@ ]]; then
    # Autoloaded from $fpath: this file is the body of _@PROG@, called for
    # this very TAB.
    __initwatch_complete "$@"
elif (( $+functions[compdef] )); then
    compdef __initwatch_complete @PROG@
else
    print -u2 "@PROG@ completion: run 'autoload -U compinit && compinit' before loading this script"
fi
