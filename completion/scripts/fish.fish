# fish completion for @PROG@.
#
# Load it in the current shell:    @PROG@ completion fish | source
# or for every shell, save it as:  ~/.config/fish/completions/@PROG@.fish
#
# On every TAB this asks `@PROG@ __complete` for the candidates, so they
# always match the installed version (and list live contexts and namespaces).

# __initwatch_query asks for the completions of the command line up to the
# cursor and keeps them, with the directive, for the two entries below.
function __initwatch_query
    set -g __initwatch_candidates
    set -g __initwatch_directive 1
    # Tokens before the cursor (the command first) with quotes and escapes
    # removed, then the one being typed, unescaped the same way: a token
    # like 'arn:aws (quote still open) is completed as arn:aws.
    set -l tokens (commandline -opc)
    set -l current (commandline -ct | string unescape)
    set -l out ($tokens[1] __complete $tokens[2..-1] "$current" 2>/dev/null)
    or return 1

    set -g __initwatch_directive 0
    if set -q out[1]; and string match -qr '^:[0-9]+$' -- $out[-1]
        set __initwatch_directive (string sub -s 2 -- $out[-1])
        set -e out[-1]
    end
    set -g __initwatch_candidates $out
end

function __initwatch_candidates
    test $__initwatch_directive -eq 1; and return
    set -q __initwatch_candidates[1]; or return
    printf '%s\n' $__initwatch_candidates
end

# File names only when there is no candidate and the directive allows them
# (e.g. --kubeconfig). fish completes them itself, so ~, quotes and
# --kubeconfig=path work as for any command.
function __initwatch_wants_files
    not set -q __initwatch_candidates[1]; and test $__initwatch_directive -eq 0
end

# fish tries a command's completions the last defined first: the second
# entry asks @PROG@ once per TAB, the first one shows the answer.
complete -c @PROG@ -f -a '(__initwatch_candidates)'
complete -c @PROG@ -n '__initwatch_query; and __initwatch_wants_files' -F
