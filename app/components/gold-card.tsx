/** A pair's gold status on its page: the expected answer, or (for leads) a form that sets one. */
import { Form } from '@remix-run/react';
import { AB_SCALE, abScoreText } from '../utils/calibration-format';

export interface GoldView {
  helpfulness: number;
  safety?: number;
  match: 'direction' | 'points';
  tolerance: number;
}

export function GoldCard({
  gold,
  canManage,
  errors,
}: {
  gold: GoldView | null;
  canManage: boolean;
  errors?: Record<string, string>;
}) {
  if (!gold && !canManage) return null;
  return (
    <section className="card" aria-labelledby="gold-h">
      <h2 id="gold-h">Gold</h2>
      {gold ? (
        <>
          <p>
            Gold pair. Expected: <strong>{abScoreText(gold.helpfulness)}</strong> on helpfulness
            {gold.safety !== undefined ? (
              <>
                , <strong>{abScoreText(gold.safety)}</strong> on safety
              </>
            ) : null}
            ;{' '}
            {gold.match === 'direction'
              ? 'an answer counts as correct when it picks the same side (or a tie).'
              : `an answer counts as correct within ${gold.tolerance} point(s).`}
          </p>
          {canManage ? (
            <Form method="post">
              <input type="hidden" name="intent" value="unmark-gold" />
              <button className="button" type="submit">
                Remove from gold
              </button>
            </Form>
          ) : null}
        </>
      ) : (
        <Form method="post" className="form form-wide">
          <input type="hidden" name="intent" value="mark-gold" />
          <p className="small muted">
            Gold pairs are mixed into annotators&apos; queues at the project&apos;s gold rate and score each
            answer against the one you set here.
          </p>
          <fieldset className="scale">
            <legend>
              <strong>Expected helpfulness</strong>
            </legend>
            <div className="scale-options">
              {AB_SCALE.map((option) => (
                <label key={option.value} className="scale-option">
                  <input type="radio" name="helpfulness" value={option.value} />
                  <span className="scale-label">{option.label}</span>
                </label>
              ))}
            </div>
            {errors?.helpfulness ? (
              <div className="error small" role="alert">
                {errors.helpfulness}
              </div>
            ) : null}
          </fieldset>
          <div className="row">
            <label className="field">
              <span>Counts as correct</span>
              <select name="match" defaultValue="direction" style={{ width: 'auto' }}>
                <option value="direction">Same side (direction only)</option>
                <option value="points">Within a number of points</option>
              </select>
            </label>
            <label className="field">
              <span>Points of tolerance</span>
              <input name="tolerance" type="number" min={0} max={3} defaultValue={1} />
              {errors?.tolerance ? <span className="error small">{errors.tolerance}</span> : null}
            </label>
          </div>
          <div>
            <button className="button button-primary" type="submit">
              Mark as gold
            </button>
          </div>
        </Form>
      )}
    </section>
  );
}
