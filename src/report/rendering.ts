// What a renderer is given and gives back, apart from the formats table so that renderers depend
// on this and the table on them, never the other way.

export interface RenderOptions {
  color: boolean
  /** Columns the text may take: the terminal's for stdout; forms that wrap use it. */
  width: number
  /**
   * How long what the document says holds, in ns from its createdAt: forms that can carry an
   * expiry (NFD's `# +expiry-time`) say when it runs out; the others ignore it.
   */
  validForNs?: number
}

export interface RenderedPart {
  /** Goes into the file name: `out.hgrm` becomes `out.<name>.hgrm`. */
  name: string
  text: string
}

/**
 * A form as one text (for stdout); forms that are several files for their consumers add parts,
 * and a form that only makes sense as its files (see Format.filesOnly) has no text.
 */
export interface Rendering {
  text?: string
  parts?: RenderedPart[]
}
