import { api, type Lead, must, type Session } from '../api/client';
import { useAction } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';

/** Who follows the lead (they hear about its changes), and a button to follow or unfollow it oneself. */
export const LeadFollowers = ({
  lead,
  session,
  onChange,
}: {
  lead: Lead;
  session: Session;
  onChange: () => Promise<void>;
}) => {
  const following = (lead.followers ?? []).includes(session.user);
  const toggle = useAction(async () => {
    if (following)
      await must(
        api.DELETE('/leads/{id}/followers', { params: { path: { id: lead.id }, query: { user: session.user } } }),
      );
    else
      await must(
        api.POST('/leads/{id}/followers', { params: { path: { id: lead.id } }, body: { user: session.user } }),
      );
  });
  return (
    <div>
      <p>
        <strong>Followers:</strong> {(lead.followers ?? []).join(', ') || 'nobody'}{' '}
        <button
          type="button"
          onClick={async () => {
            await toggle.run();
            await onChange();
          }}
          aria-pressed={following}
        >
          {following ? 'Unfollow' : 'Follow'}
        </button>
      </p>
      <ProblemBanner error={toggle.error} />
    </div>
  );
};
