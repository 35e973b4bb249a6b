import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * Untrusted text (prompts, responses, rationales) as markdown: react-markdown builds React elements
 * and never raw HTML. HTML in the text shows as literal, escaped text (annotators should see that a
 * response contains markup), and javascript: links are neutralised.
 */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        components={{
          a: ({ href, children }) => (
            <a href={href} target="_blank" rel="noopener noreferrer nofollow">
              {children}
            </a>
          ),
          img: ({ alt }) => <span className="muted">[image: {alt || 'no description'}]</span>,
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
