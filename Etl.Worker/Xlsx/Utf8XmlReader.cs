using System.Buffers;
using System.Text;
using System.Text.Unicode;
using System.Xml;

namespace NackaInsights.Etl.Xlsx;

/// <summary>
/// An <see cref="XmlReader"/> over one inflated zip part in UTF-8, for the plain XML that spreadsheet writers produce:
/// elements, attributes, namespaces, text with the five entities and character references. It reads only a part that it
/// has parsed whole and found well-formed and plain (<see cref="TryParse"/>); anything else (a comment, CDATA, a DOCTYPE,
/// a processing instruction, another encoding, a name outside ASCII, an undeclared prefix, a raw tab or line break in
/// an attribute value, any fault of well-formedness) makes it decline, and the workbook reads that part with .NET's
/// <see cref="XmlReader"/> as before, which then gives the same values or the same error. So the workbook's reading
/// rules (<see cref="XlsxWorkbook"/>) run unchanged over either reader.
/// </summary>
/// <remarks>
/// Written because .NET's reader cost most of a workbook's reading: a full refresh at scale 1 created 13,000 of them,
/// each allocating its 12 KB of buffers, and every attribute value it returned was a string built through its node
/// data (1.37 GB allocated in all, 0.24 GB of it in the readers' construction; the reading was about a fifth of the
/// process's CPU). This one parses a part in one pass over its bytes into two arrays of offsets, and builds a string
/// only for a value that is asked for, names through the workbook's name table.
/// </remarks>
internal sealed class Utf8XmlReader : XmlReader, IXmlLineInfo
{
    private const string XmlNamespace = "http://www.w3.org/XML/1998/namespace";
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    // Bytes that XML 1.0 does not allow anywhere in a document (C0 controls but tab, line feed and carriage return).
    private static readonly SearchValues<byte> ForbiddenBytes = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

    /// <summary>
    /// The most nodes, and the most attributes, a part may have to be read by this reader (4 MB of offsets at most); a part
    /// with more is read by .NET's reader, which holds only the open elements. A business case's largest sheet has about 3,500.
    /// </summary>
    internal const int MaxNodes = 1 << 16;

    /// <summary>
    /// The most attributes one element may have, and the most namespace declarations in scope at once, for this reader:
    /// it holds an element's attributes to one another pair by pair and looks a prefix up along its scope, which a part
    /// of one element with thousands of attributes would make quadratic. Excel writes fewer than a dozen of each.
    /// </summary>
    internal const int MaxAttributesPerElement = 64;

    internal const int MaxNamespacesInScope = 64;

    private static readonly SearchValues<byte> TextSpecials = SearchValues.Create("&\r]"u8);

    private static readonly SearchValues<byte> AttributeSpecials = SearchValues.Create("&<\t\n\r"u8);

    private readonly byte[] _buffer;
    private readonly int _length;
    private readonly XmlNameTable _names;
    private readonly Action<byte[]>? _release;
    private Node[] _nodes;
    private readonly int _nodeCount;
    private Attribute[] _attributes;
    private char[] _nameChars = new char[64];

    private int _current = -1;
    private int _attribute = -1;
    private ReadState _state = ReadState.Initial;
    private string? _localName;
    private int _chunkAt = -1;
    private char _pendingLow;

    private Utf8XmlReader(byte[] buffer, int length, XmlNameTable names, Node[] nodes, int nodeCount, Attribute[] attributes, Action<byte[]>? release)
    {
        _buffer = buffer;
        _length = length;
        _names = names;
        _nodes = nodes;
        _nodeCount = nodeCount;
        _attributes = attributes;
        _release = release;
    }

    /// <summary>
    /// A reader of the part in <paramref name="buffer"/>'s first <paramref name="length"/> bytes, or null when the part is
    /// not plain, well-formed XML in UTF-8 as this reader reads it: then .NET's reader is to read it. The reader owns the
    /// buffer from then on and gives it to <paramref name="release"/> when it is closed; a declined buffer stays the caller's.
    /// </summary>
    public static Utf8XmlReader? TryParse(byte[] buffer, int length, XmlNameTable names, Action<byte[]>? release = null)
    {
        var nodes = ArrayPool<Node>.Shared.Rent(Math.Clamp(length / 16, 16, MaxNodes));
        var attributes = ArrayPool<Attribute>.Shared.Rent(Math.Clamp(length / 32, 16, MaxNodes));
        var parser = new Parser(buffer.AsSpan(0, length), nodes, attributes);
        if (parser.Run())
        {
            return new Utf8XmlReader(buffer, length, names, parser.Nodes, parser.NodeCount, parser.Attributes, release);
        }
        ArrayPool<Node>.Shared.Return(parser.Nodes);
        ArrayPool<Attribute>.Shared.Return(parser.Attributes);
        return null;
    }

    private struct Node
    {
        public XmlNodeType Type;
        public int Depth;
        public bool IsEmpty;
        public int Start; // the '<' of an element or end tag, the first byte of a text
        public int NameStart;
        public int NameLength;
        public int PrefixLength; // 0 when the name has no prefix, else its length without the colon
        public int FirstAttribute;
        public int AttributeCount;
        public int ValueStart;
        public int ValueLength;
        public bool Plain; // the value's bytes are its text: no reference to decode, no carriage return
        public string? Namespace;
    }

    private struct Attribute
    {
        public int NameStart;
        public int NameLength;
        public int PrefixLength;
        public int ValueStart;
        public int ValueLength;
        public bool Plain;
        public string? Namespace;
    }

    /// <summary>One pass over a part: well-formedness, the plain subset, namespaces, and the nodes in document order.</summary>
    private ref struct Parser(ReadOnlySpan<byte> xml, Node[] nodes, Attribute[] attributes)
    {
        private readonly ReadOnlySpan<byte> _xml = xml;
        private int _pos;
        public Node[] Nodes = nodes;
        public int NodeCount;
        public Attribute[] Attributes = attributes;
        public int AttributeCount;

        // More nodes than this reader holds (MaxNodes): .NET's reader streams such a part instead.
        public bool Full;

        // The open elements (node indexes), and the namespace declarations in scope (prefix, or "" for the default).
        private readonly List<int> _open = new(16);
        private readonly List<(string Prefix, string Uri, int Depth)> _scope = new(8);

        public bool Run()
        {
            var xml = _xml;
            if (xml.IndexOfAny(ForbiddenBytes) >= 0 || !Utf8.IsValid(xml)
                || xml.IndexOf("\uFFFE"u8) >= 0 || xml.IndexOf("\uFFFF"u8) >= 0 || xml.IndexOf("]]>"u8) >= 0)
            {
                return false;
            }
            if (xml.StartsWith("\uFEFF"u8))
            {
                _pos = 3;
            }
            if (xml[_pos..].StartsWith("<?xml"u8) && !Declaration())
            {
                return false;
            }
            var rootSeen = false;
            while (_pos < xml.Length && !Full)
            {
                var lt = xml[_pos..].IndexOf((byte)'<');
                var textEnd = lt < 0 ? xml.Length : _pos + lt;
                if (textEnd > _pos)
                {
                    var text = xml[_pos..textEnd];
                    if (_open.Count == 0)
                    {
                        // Outside the root only white space is allowed; .NET's reader reports it, the workbook skips it.
                        if (!IsWhiteSpace(text))
                        {
                            return false;
                        }
                    }
                    else if (!Text(_pos, textEnd))
                    {
                        return false;
                    }
                }
                if (lt < 0)
                {
                    break;
                }
                _pos = textEnd;
                if (_pos + 1 >= xml.Length)
                {
                    return false;
                }
                var next = xml[_pos + 1];
                if (next == '/')
                {
                    if (!EndTag())
                    {
                        return false;
                    }
                }
                else if (next is (byte)'!' or (byte)'?')
                {
                    return false;
                }
                else
                {
                    if (_open.Count == 0)
                    {
                        if (rootSeen)
                        {
                            return false;
                        }
                        rootSeen = true;
                    }
                    if (!StartTag())
                    {
                        return false;
                    }
                }
            }
            return rootSeen && _open.Count == 0 && !Full;
        }

        private bool Declaration()
        {
            // <?xml version="1.0" [encoding="UTF-8"] [standalone="yes|no"] ?>, as writers put it first.
            var end = _xml[_pos..].IndexOf("?>"u8);
            if (end < 0)
            {
                return false;
            }
            var inside = _xml.Slice(_pos + 5, end - 5);
            _pos += end + 2;
            if (inside.Length == 0 || !IsSpace(inside[0]))
            {
                return false;
            }
            var seen = 0;
            while (true)
            {
                var trimmed = inside.TrimStart(" \t\r\n"u8);
                if (trimmed.Length == 0)
                {
                    return seen > 0;
                }
                if (trimmed.Length == inside.Length)
                {
                    return false;
                }
                var eq = trimmed.IndexOf((byte)'=');
                if (eq <= 0)
                {
                    return false;
                }
                var name = trimmed[..eq].TrimEnd(" \t\r\n"u8);
                var rest = trimmed[(eq + 1)..].TrimStart(" \t\r\n"u8);
                if (rest.Length < 2 || rest[0] is not ((byte)'"' or (byte)'\''))
                {
                    return false;
                }
                var close = rest[1..].IndexOf(rest[0]);
                if (close < 0)
                {
                    return false;
                }
                var value = rest.Slice(1, close);
                inside = rest[(close + 2)..];
                var ok = seen switch
                {
                    0 => name.SequenceEqual("version"u8) && value.SequenceEqual("1.0"u8),
                    _ when name.SequenceEqual("encoding"u8) && seen == 1 => Ascii.EqualsIgnoreCase(value, "utf-8"u8),
                    _ when name.SequenceEqual("standalone"u8) && seen >= 1 && seen < 3 => value.SequenceEqual("yes"u8) || value.SequenceEqual("no"u8),
                    _ => false,
                };
                if (!ok)
                {
                    return false;
                }
                seen = name.SequenceEqual("standalone"u8) ? 3 : seen + 1;
                if (inside.Length > 0 && !IsSpace(inside[0]))
                {
                    return false;
                }
            }
        }

        private bool Text(int start, int end)
        {
            var text = _xml[start..end];
            var plain = true;
            var at = text.IndexOfAny(TextSpecials);
            while (at >= 0)
            {
                if (text[at] == '&')
                {
                    var length = Reference(text[at..]);
                    if (length == 0)
                    {
                        return false;
                    }
                    plain = false;
                    at += length;
                }
                else
                {
                    // A carriage return is read as a line feed; a ']' is only text (the "]]>" was refused before).
                    plain &= text[at] != '\r';
                    at++;
                }
                var next = text[at..].IndexOfAny(TextSpecials);
                at = next < 0 ? -1 : at + next;
            }
            Add(new Node
            {
                // White space as .NET's reader tells it, by the characters read: "&#10;" is white space too.
                Type = IsWhiteSpace(text) || (!plain && Decode(text).AsSpan().IndexOfAnyExcept(" \t\r\n") < 0) ? XmlNodeType.Whitespace : XmlNodeType.Text,
                Depth = _open.Count,
                Start = start,
                ValueStart = start,
                ValueLength = end - start,
                Plain = plain,
            });
            return true;
        }

        private bool StartTag()
        {
            var start = _pos;
            _pos++;
            var (nameStart, nameLength, prefixLength) = (_pos, 0, 0);
            if (!Name(ref nameLength, ref prefixLength))
            {
                return false;
            }
            var firstAttribute = AttributeCount;
            var isEmpty = false;
            while (true)
            {
                var spaced = SkipSpace();
                if (_pos >= _xml.Length)
                {
                    return false;
                }
                if (_xml[_pos] == '>')
                {
                    _pos++;
                    break;
                }
                if (_xml[_pos] == '/')
                {
                    if (_pos + 1 >= _xml.Length || _xml[_pos + 1] != '>')
                    {
                        return false;
                    }
                    _pos += 2;
                    isEmpty = true;
                    break;
                }
                if (!spaced || AttributeCount - firstAttribute == MaxAttributesPerElement || !AttributeAt())
                {
                    return false;
                }
            }
            var depth = _open.Count;
            var count = AttributeCount - firstAttribute;

            // Namespace declarations first: they are in scope for the element's own name and attributes.
            for (var i = firstAttribute; count > 0 && i < AttributeCount; i++)
            {
                ref var a = ref Attributes[i];
                var name = _xml.Slice(a.NameStart, a.NameLength);
                if (a.PrefixLength == 0 && name.SequenceEqual("xmlns"u8))
                {
                    a.Namespace = XmlnsNamespace;
                    _scope.Add(("", DecodeValue(a.ValueStart, a.ValueLength, a.Plain), depth));
                }
                else if (a.PrefixLength == 5 && name.StartsWith("xmlns:"u8))
                {
                    var prefix = Encoding.ASCII.GetString(name[6..]);
                    var uri = DecodeValue(a.ValueStart, a.ValueLength, a.Plain);
                    // xmlns:p="" undeclares, which XML 1.0's namespaces do not allow; xml and xmlns are not to be declared here.
                    if (uri.Length == 0 || prefix is "xml" or "xmlns" || uri is XmlNamespace or XmlnsNamespace)
                    {
                        return false;
                    }
                    a.Namespace = XmlnsNamespace;
                    _scope.Add((prefix, uri, depth));
                }
                if (_scope.Count > MaxNamespacesInScope)
                {
                    return false;
                }
            }
            for (var i = firstAttribute; i < AttributeCount; i++)
            {
                ref var a = ref Attributes[i];
                if (a.Namespace is not null)
                {
                    continue;
                }
                if (a.PrefixLength == 0)
                {
                    a.Namespace = "";
                }
                else if (Resolve(_xml.Slice(a.NameStart, a.PrefixLength)) is { } uri)
                {
                    a.Namespace = uri;
                }
                else
                {
                    return false;
                }
            }
            // The same attribute twice, by name or by namespace and local name, is not well-formed.
            for (var i = firstAttribute; count > 1 && i < AttributeCount; i++)
            {
                for (var j = i + 1; j < AttributeCount; j++)
                {
                    ref var a = ref Attributes[i];
                    ref var b = ref Attributes[j];
                    var aLocal = _xml.Slice(a.NameStart + (a.PrefixLength == 0 ? 0 : a.PrefixLength + 1), a.NameLength - (a.PrefixLength == 0 ? 0 : a.PrefixLength + 1));
                    var bLocal = _xml.Slice(b.NameStart + (b.PrefixLength == 0 ? 0 : b.PrefixLength + 1), b.NameLength - (b.PrefixLength == 0 ? 0 : b.PrefixLength + 1));
                    if (aLocal.SequenceEqual(bLocal) && (a.Namespace == b.Namespace || _xml.Slice(a.NameStart, a.NameLength).SequenceEqual(_xml.Slice(b.NameStart, b.NameLength))))
                    {
                        return false;
                    }
                }
            }
            string? elementNamespace;
            if (prefixLength == 0)
            {
                elementNamespace = Resolve([]) ?? "";
            }
            else if (_xml.Slice(nameStart, prefixLength) is var p && (p.SequenceEqual("xmlns"u8) || p.SequenceEqual("xml"u8))
                || (elementNamespace = Resolve(_xml.Slice(nameStart, prefixLength))) is null)
            {
                return false;
            }
            var index = Add(new Node
            {
                Type = XmlNodeType.Element,
                Depth = depth,
                IsEmpty = isEmpty,
                Start = start,
                NameStart = nameStart,
                NameLength = nameLength,
                PrefixLength = prefixLength,
                FirstAttribute = firstAttribute,
                AttributeCount = count,
                Namespace = elementNamespace,
            });
            if (isEmpty)
            {
                CloseScope(depth);
            }
            else
            {
                _open.Add(index);
            }
            return true;
        }

        private bool EndTag()
        {
            var start = _pos;
            _pos += 2;
            var (nameStart, nameLength, prefixLength) = (_pos, 0, 0);
            if (_open.Count == 0 || !Name(ref nameLength, ref prefixLength))
            {
                return false;
            }
            SkipSpace();
            if (_pos >= _xml.Length || _xml[_pos] != '>')
            {
                return false;
            }
            _pos++;
            var open = Nodes[_open[^1]];
            if (!_xml.Slice(nameStart, nameLength).SequenceEqual(_xml.Slice(open.NameStart, open.NameLength)))
            {
                return false;
            }
            _open.RemoveAt(_open.Count - 1);
            Add(new Node
            {
                Type = XmlNodeType.EndElement,
                Depth = _open.Count,
                Start = start,
                NameStart = open.NameStart,
                NameLength = open.NameLength,
                PrefixLength = open.PrefixLength,
                Namespace = open.Namespace,
            });
            CloseScope(_open.Count);
            return true;
        }

        private bool AttributeAt()
        {
            var (nameStart, nameLength, prefixLength) = (_pos, 0, 0);
            if (!Name(ref nameLength, ref prefixLength))
            {
                return false;
            }
            SkipSpace();
            if (_pos >= _xml.Length || _xml[_pos] != '=')
            {
                return false;
            }
            _pos++;
            SkipSpace();
            if (_pos >= _xml.Length || _xml[_pos] is not ((byte)'"' or (byte)'\''))
            {
                return false;
            }
            var quote = _xml[_pos];
            var valueStart = _pos + 1;
            var close = _xml[valueStart..].IndexOf(quote);
            if (close < 0)
            {
                return false;
            }
            var value = _xml.Slice(valueStart, close);
            var plain = true;
            var at = value.IndexOfAny(AttributeSpecials);
            while (at >= 0)
            {
                // '<' is not allowed in a value; a raw tab or line break is normalised to a space there, which this reader leaves to .NET's.
                if (value[at] != '&')
                {
                    return false;
                }
                var length = Reference(value[at..]);
                if (length == 0)
                {
                    return false;
                }
                plain = false;
                at += length;
                var next = value[at..].IndexOfAny(AttributeSpecials);
                at = next < 0 ? -1 : at + next;
            }
            _pos = valueStart + close + 1;
            if (AttributeCount == MaxNodes)
            {
                Full = true;
                return false;
            }
            if (AttributeCount == Attributes.Length)
            {
                var larger = ArrayPool<Attribute>.Shared.Rent(Math.Min(Attributes.Length * 2, MaxNodes));
                Attributes.AsSpan(0, AttributeCount).CopyTo(larger);
                ArrayPool<Attribute>.Shared.Return(Attributes);
                Attributes = larger;
            }
            Attributes[AttributeCount++] = new Attribute
            {
                NameStart = nameStart,
                NameLength = nameLength,
                PrefixLength = prefixLength,
                ValueStart = valueStart,
                ValueLength = close,
                Plain = plain,
            };
            return true;
        }

        /// <summary>An ASCII name, with at most one prefix: each part a letter or '_' first, then letters, digits, '.', '-' or '_'.</summary>
        private bool Name(ref int length, ref int prefixLength)
        {
            var start = _pos;
            var partStart = _pos;
            while (_pos < _xml.Length)
            {
                var c = _xml[_pos];
                if (c is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (byte)'_')
                {
                    _pos++;
                }
                else if (c is (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'-')
                {
                    if (_pos == partStart)
                    {
                        return false;
                    }
                    _pos++;
                }
                else if (c == ':')
                {
                    if (_pos == partStart || prefixLength > 0)
                    {
                        return false;
                    }
                    prefixLength = _pos - start;
                    _pos++;
                    partStart = _pos;
                }
                else
                {
                    break;
                }
            }
            length = _pos - start;
            // A name ends at white space, '=', '>' or '/'; anything else (a character outside ASCII, say) is left to .NET's reader.
            return _pos > partStart && _pos < _xml.Length && (IsSpace(_xml[_pos]) || _xml[_pos] is (byte)'=' or (byte)'>' or (byte)'/');
        }

        /// <summary>The length of the reference at the start of <paramref name="text"/>, or 0 when it is none this reader decodes.</summary>
        private static int Reference(ReadOnlySpan<byte> text)
        {
            var semicolon = text.IndexOf((byte)';');
            if (semicolon < 2 || semicolon > 12)
            {
                return 0;
            }
            return TryDecodeReference(text[..(semicolon + 1)], out _) ? semicolon + 1 : 0;
        }

        private string? Resolve(ReadOnlySpan<byte> prefix)
        {
            if (prefix.SequenceEqual("xml"u8))
            {
                return XmlNamespace;
            }
            for (var i = _scope.Count - 1; i >= 0; i--)
            {
                if (Ascii.Equals(prefix, _scope[i].Prefix))
                {
                    return _scope[i].Uri;
                }
            }
            return null;
        }

        private void CloseScope(int depth)
        {
            while (_scope.Count > 0 && _scope[^1].Depth >= depth)
            {
                _scope.RemoveAt(_scope.Count - 1);
            }
        }

        private bool SkipSpace()
        {
            var start = _pos;
            while (_pos < _xml.Length && IsSpace(_xml[_pos]))
            {
                _pos++;
            }
            return _pos > start;
        }

        private string DecodeValue(int start, int length, bool plain) =>
            plain ? Encoding.UTF8.GetString(_xml.Slice(start, length)) : Decode(_xml.Slice(start, length));

        private int Add(Node node)
        {
            if (NodeCount == MaxNodes)
            {
                Full = true;
                return NodeCount - 1;
            }
            if (NodeCount == Nodes.Length)
            {
                var larger = ArrayPool<Node>.Shared.Rent(Math.Min(Nodes.Length * 2, MaxNodes));
                Nodes.AsSpan(0, NodeCount).CopyTo(larger);
                ArrayPool<Node>.Shared.Return(Nodes);
                Nodes = larger;
            }
            Nodes[NodeCount] = node;
            return NodeCount++;
        }
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static bool IsWhiteSpace(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    /// <summary>An entity or character reference (<c>&amp;…;</c>, whole) as the character it stands for, when XML allows that character.</summary>
    private static bool TryDecodeReference(ReadOnlySpan<byte> reference, out Rune rune)
    {
        rune = default;
        var body = reference[1..^1];
        if (body.SequenceEqual("lt"u8))
        {
            rune = new Rune('<');
        }
        else if (body.SequenceEqual("gt"u8))
        {
            rune = new Rune('>');
        }
        else if (body.SequenceEqual("amp"u8))
        {
            rune = new Rune('&');
        }
        else if (body.SequenceEqual("quot"u8))
        {
            rune = new Rune('"');
        }
        else if (body.SequenceEqual("apos"u8))
        {
            rune = new Rune('\'');
        }
        else if (body.Length >= 2 && body[0] == '#')
        {
            var hex = body[1] == 'x';
            var digits = body[(hex ? 2 : 1)..];
            if (digits.Length == 0 || digits.Length > 7)
            {
                return false;
            }
            var value = 0;
            foreach (var d in digits)
            {
                int digit = d switch
                {
                    >= (byte)'0' and <= (byte)'9' => d - '0',
                    >= (byte)'a' and <= (byte)'f' when hex => d - 'a' + 10,
                    >= (byte)'A' and <= (byte)'F' when hex => d - 'A' + 10,
                    _ => -1,
                };
                if (digit < 0)
                {
                    return false;
                }
                value = value * (hex ? 16 : 10) + digit;
            }
            // XML 1.0's Char: tab, line feed, carriage return, and the rest of Unicode but surrogates, U+FFFE and U+FFFF.
            if (!(value is 0x9 or 0xA or 0xD or (>= 0x20 and <= 0xD7FF) or (>= 0xE000 and <= 0xFFFD) or (>= 0x10000 and <= 0x10FFFF)))
            {
                return false;
            }
            rune = new Rune(value);
        }
        else
        {
            return false;
        }
        return true;
    }

    /// <summary>Text as XML reads it: references decoded, a carriage return (with the line feed after it) read as one line feed.</summary>
    private static string Decode(ReadOnlySpan<byte> value)
    {
        var builder = new StringBuilder(value.Length);
        Span<char> pair = stackalloc char[2];
        var at = 0;
        while (at < value.Length)
        {
            var b = value[at];
            if (b == '&')
            {
                var end = value[at..].IndexOf((byte)';');
                TryDecodeReference(value.Slice(at, end + 1), out var rune);
                builder.Append(pair[..rune.EncodeToUtf16(pair)]);
                at += end + 1;
            }
            else if (b == '\r')
            {
                builder.Append('\n');
                at += at + 1 < value.Length && value[at + 1] == '\n' ? 2 : 1;
            }
            else
            {
                var run = value[at..].IndexOfAny((byte)'&', (byte)'\r');
                var piece = run < 0 ? value[at..] : value.Slice(at, run);
                builder.Append(Encoding.UTF8.GetString(piece));
                at += piece.Length;
            }
        }
        return builder.ToString();
    }

    private ref Node Current => ref _nodes[_current];

    private bool OnNode => _state == ReadState.Interactive && _current >= 0 && _current < _nodeCount;

    public override XmlNodeType NodeType => !OnNode ? XmlNodeType.None : _attribute >= 0 ? XmlNodeType.Attribute : Current.Type;

    public override string LocalName => CurrentName(local: true);

    public override string Name => CurrentName(local: false);

    /// <summary>The current element's or attribute's name, or its local part; "" on any other node.</summary>
    private string CurrentName(bool local)
    {
        if (!OnNode)
        {
            return "";
        }
        if (_attribute >= 0)
        {
            ref var a = ref _attributes[_attribute];
            return NameString(a.NameStart, a.NameLength, local ? a.PrefixLength : 0, local);
        }
        ref var node = ref Current;
        if (node.Type is not (XmlNodeType.Element or XmlNodeType.EndElement))
        {
            return "";
        }
        return local ? _localName ??= NameString(node.NameStart, node.NameLength, node.PrefixLength, local: true) : NameString(node.NameStart, node.NameLength, 0, local: false);
    }

    public override string Prefix
    {
        get
        {
            if (!OnNode)
            {
                return "";
            }
            var (start, prefixLength) = _attribute >= 0 ? (_attributes[_attribute].NameStart, _attributes[_attribute].PrefixLength) : (Current.NameStart, Current.PrefixLength);
            return prefixLength == 0 ? "" : NameString(start, prefixLength, 0, local: false);
        }
    }

    public override string NamespaceURI => !OnNode ? "" : _attribute >= 0 ? _attributes[_attribute].Namespace ?? "" : Current.Namespace ?? "";

    public override string Value
    {
        get
        {
            if (!OnNode)
            {
                return "";
            }
            if (_attribute >= 0)
            {
                ref var a = ref _attributes[_attribute];
                return ValueString(a.ValueStart, a.ValueLength, a.Plain);
            }
            ref var node = ref Current;
            return node.Type is XmlNodeType.Text or XmlNodeType.Whitespace ? ValueString(node.ValueStart, node.ValueLength, node.Plain) : "";
        }
    }

    public override int Depth => !OnNode ? 0 : _attribute >= 0 ? Current.Depth + 1 : Current.Depth;

    public override bool IsEmptyElement => OnNode && _attribute < 0 && Current.Type == XmlNodeType.Element && Current.IsEmpty;

    public override int AttributeCount => OnNode && Current.Type == XmlNodeType.Element ? Current.AttributeCount : 0;

    public override string BaseURI => "";

    public override bool EOF => _state == ReadState.EndOfFile;

    public override ReadState ReadState => _state;

    public override XmlNameTable NameTable => _names;

    public override bool Read()
    {
        if (_state is ReadState.Closed or ReadState.EndOfFile or ReadState.Error)
        {
            return false;
        }
        _state = ReadState.Interactive;
        _attribute = -1;
        _localName = null;
        _chunkAt = -1;
        _pendingLow = '\0';
        if (++_current >= _nodeCount)
        {
            _current = _nodeCount;
            _state = ReadState.EndOfFile;
            return false;
        }
        return true;
    }

    public override string? GetAttribute(string name)
    {
        var i = FindAttribute(name);
        return i < 0 ? null : ValueString(_attributes[i].ValueStart, _attributes[i].ValueLength, _attributes[i].Plain);
    }

    public override string? GetAttribute(string name, string? namespaceURI)
    {
        var i = FindAttribute(name, namespaceURI);
        return i < 0 ? null : ValueString(_attributes[i].ValueStart, _attributes[i].ValueLength, _attributes[i].Plain);
    }

    public override string GetAttribute(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, AttributeCount);
        ref var a = ref _attributes[Current.FirstAttribute + i];
        return ValueString(a.ValueStart, a.ValueLength, a.Plain);
    }

    public override bool MoveToAttribute(string name)
    {
        var i = FindAttribute(name);
        if (i < 0)
        {
            return false;
        }
        _attribute = i;
        return true;
    }

    public override bool MoveToAttribute(string name, string? ns)
    {
        var i = FindAttribute(name, ns);
        if (i < 0)
        {
            return false;
        }
        _attribute = i;
        return true;
    }

    public override void MoveToAttribute(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, AttributeCount);
        _attribute = Current.FirstAttribute + i;
    }

    public override bool MoveToFirstAttribute()
    {
        if (AttributeCount == 0)
        {
            return false;
        }
        _attribute = Current.FirstAttribute;
        return true;
    }

    public override bool MoveToNextAttribute()
    {
        if (!OnNode || Current.Type != XmlNodeType.Element)
        {
            return false;
        }
        if (_attribute < 0)
        {
            return MoveToFirstAttribute();
        }
        if (_attribute + 1 < Current.FirstAttribute + Current.AttributeCount)
        {
            _attribute++;
            return true;
        }
        return false;
    }

    public override bool MoveToElement()
    {
        if (_attribute < 0)
        {
            return false;
        }
        _attribute = -1;
        return true;
    }

    public override string? LookupNamespace(string prefix) => null;

    public override bool ReadAttributeValue() => false;

    public override void ResolveEntity() => throw new InvalidOperationException("This reader has no entity references to resolve.");

    public override bool CanReadValueChunk => true;

    /// <summary>The current text's characters from where the last call stopped, decoded as <see cref="Decode"/> does.</summary>
    public override int ReadValueChunk(char[] buffer, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (!OnNode || _attribute >= 0 || Current.Type is not (XmlNodeType.Text or XmlNodeType.Whitespace))
        {
            return 0;
        }
        ref var node = ref Current;
        var end = node.ValueStart + node.ValueLength;
        if (_chunkAt < 0)
        {
            _chunkAt = node.ValueStart;
        }
        var written = 0;
        Span<char> pair = stackalloc char[2];
        while (written < count)
        {
            if (_pendingLow != '\0')
            {
                buffer[index + written++] = _pendingLow;
                _pendingLow = '\0';
                continue;
            }
            if (_chunkAt >= end)
            {
                break;
            }
            var b = _buffer[_chunkAt];
            Rune rune;
            if (b == '&')
            {
                var semicolon = _buffer.AsSpan(_chunkAt, end - _chunkAt).IndexOf((byte)';');
                TryDecodeReference(_buffer.AsSpan(_chunkAt, semicolon + 1), out rune);
                _chunkAt += semicolon + 1;
            }
            else if (b == '\r')
            {
                rune = new Rune('\n');
                _chunkAt += _chunkAt + 1 < end && _buffer[_chunkAt + 1] == '\n' ? 2 : 1;
            }
            else if (b < 0x80)
            {
                buffer[index + written++] = (char)b;
                _chunkAt++;
                continue;
            }
            else
            {
                Rune.DecodeFromUtf8(_buffer.AsSpan(_chunkAt, end - _chunkAt), out rune, out var consumed);
                _chunkAt += consumed;
            }
            var chars = rune.EncodeToUtf16(pair);
            buffer[index + written++] = pair[0];
            if (chars == 2)
            {
                _pendingLow = pair[1];
            }
        }
        return written;
    }

    public override void Close()
    {
        if (_state == ReadState.Closed)
        {
            return;
        }
        _state = ReadState.Closed;
        ArrayPool<Node>.Shared.Return(_nodes);
        ArrayPool<Attribute>.Shared.Return(_attributes);
        _nodes = [];
        _attributes = [];
        _release?.Invoke(_buffer);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }
        base.Dispose(disposing);
    }

    public bool HasLineInfo() => true;

    /// <summary>The line of the current node's start, counted as .NET's reader counts (a CR LF, a CR or a LF ends a line).</summary>
    public int LineNumber => OnNode ? LineOf(_attribute >= 0 ? _attributes[_attribute].NameStart : Current.Start).Line : 0;

    /// <summary>The character position, from 1, of the current node's name (an element's, after its '&lt;'), or of its text.</summary>
    public int LinePosition
    {
        get
        {
            if (!OnNode)
            {
                return 0;
            }
            ref var node = ref Current;
            var at = _attribute >= 0 ? _attributes[_attribute].NameStart
                : node.Type == XmlNodeType.Element ? node.Start + 1
                : node.Type == XmlNodeType.EndElement ? node.Start + 2
                : node.Start;
            var (_, lineStart) = LineOf(at);
            // Characters as UTF-16 counts them: a four-byte sequence is two.
            var position = 1;
            for (var i = lineStart; i < at; i++)
            {
                var b = _buffer[i];
                position += (b & 0xC0) == 0x80 ? 0 : b >= 0xF0 ? 2 : 1;
            }
            return position;
        }
    }

    private (int Line, int LineStart) LineOf(int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset && i < _length; i++)
        {
            if (_buffer[i] == '\n' || (_buffer[i] == '\r' && (i + 1 >= _length || _buffer[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, lineStart);
    }

    /// <summary>The current element's attribute of a local name in a namespace ("" or null for none), or -1.</summary>
    private int FindAttribute(string localName, string? ns)
    {
        if (!OnNode || Current.Type != XmlNodeType.Element)
        {
            return -1;
        }
        ref var node = ref Current;
        for (var i = node.FirstAttribute; i < node.FirstAttribute + node.AttributeCount; i++)
        {
            ref var a = ref _attributes[i];
            if ((a.Namespace ?? "") == (ns ?? "") && NameString(a.NameStart, a.NameLength, a.PrefixLength, local: true) == localName)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The current element's attribute of a qualified name, or -1.</summary>
    private int FindAttribute(string name)
    {
        if (!OnNode || Current.Type != XmlNodeType.Element)
        {
            return -1;
        }
        ref var node = ref Current;
        for (var i = node.FirstAttribute; i < node.FirstAttribute + node.AttributeCount; i++)
        {
            ref var a = ref _attributes[i];
            if (Ascii.Equals(_buffer.AsSpan(a.NameStart, a.NameLength), name))
            {
                return i;
            }
        }
        return -1;
    }

    private string ValueString(int start, int length, bool plain)
    {
        if (!plain)
        {
            return Decode(_buffer.AsSpan(start, length));
        }
        // A short value (a cell's type or style, a row's number) through the name table: the same few values stand on
        // every cell, and each would otherwise be a string of its own.
        if (length <= AtomizedValueBytes && Ascii.IsValid(_buffer.AsSpan(start, length)))
        {
            return NameString(start, length, 0, local: false);
        }
        return Encoding.UTF8.GetString(_buffer, start, length);
    }

    private const int AtomizedValueBytes = 9;

    /// <summary>How a cell's <c>r</c> attribute reads: absent, a valid address (its row and column), or something else.</summary>
    internal enum CellReference
    {
        Absent,
        Valid,
        Invalid,
    }

    /// <summary>
    /// The current element's <c>r</c> attribute as a cell address, read from its bytes: the address is different on every
    /// cell, so it is no string unless it is bad (then <see cref="GetAttribute(string)"/> gives it for the message).
    /// </summary>
    internal CellReference ReadCellReference(out int row, out int column)
    {
        row = column = 0;
        var i = FindAttribute("r");
        if (i < 0)
        {
            return CellReference.Absent;
        }
        ref var a = ref _attributes[i];
        Span<char> chars = stackalloc char[16];
        if (!a.Plain || a.ValueLength > chars.Length || !Ascii.IsValid(_buffer.AsSpan(a.ValueStart, a.ValueLength)))
        {
            return CellAddress.TryParse(GetAttribute("r"), out row, out column) ? CellReference.Valid : CellReference.Invalid;
        }
        var bytes = _buffer.AsSpan(a.ValueStart, a.ValueLength);
        for (var k = 0; k < bytes.Length; k++)
        {
            chars[k] = (char)bytes[k];
        }
        return CellAddress.TryParse(chars[..bytes.Length], out row, out column) ? CellReference.Valid : CellReference.Invalid;
    }

    /// <summary>A name (or its local part) as the name table's string: names are ASCII here, so each byte is its character.</summary>
    private string NameString(int start, int length, int prefixLength, bool local)
    {
        if (local && prefixLength > 0)
        {
            start += prefixLength + 1;
            length -= prefixLength + 1;
        }
        if (_nameChars.Length < length)
        {
            _nameChars = new char[length];
        }
        for (var i = 0; i < length; i++)
        {
            _nameChars[i] = (char)_buffer[start + i];
        }
        return _names.Add(_nameChars, 0, length);
    }
}
